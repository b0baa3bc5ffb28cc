// SPDX-License-Identifier: GPL-3.0-or-later
// The only file of Tessera that includes QtKeychain.
#include "vault/keychainsecretstore.h"

#include "common/logging.h"
#include "vault/secretservicebus.h"

#include <QList>
#include <QPointer>
#include <QSettings>
#include <QTimer>

#include <qt6keychain/keychain.h>

#include <algorithm>
#include <limits>
#include <utility>

namespace Tessera::Vault {

namespace {

// Bound for each D-Bus query of our own (availability, SearchItems); the operation timeout
// bounds the whole operation on top of that.
constexpr int busTimeoutMs = 10'000;

// Never passes validateKey(), so no caller can ever store something under it.
QString probeKey()
{
    return QStringLiteral("probe/never-written");
}

enum class Kind
{
    Read,
    Write,
    Remove,
    Probe
};

struct Operation
{
    Kind kind = Kind::Read;
    QString key;
    QByteArray secret;
    std::function<void(Result<QByteArray>)> readDone;
    std::function<void(Status)> statusDone;
    QTimer *timer = nullptr;
    bool finished = false;
};
using OperationPtr = std::shared_ptr<Operation>;

QSettings *noPlaintextSettings()
{
    // QtKeychain 0.13.2 consults a "plaintext store" QSettings even with insecureFallback() off:
    // on its KWallet path a read returns (and "migrates") an entry found there. Give every job a
    // QSettings below /dev/null, which can never exist, so nothing is read from or written to a
    // plain file on any path. One instance for the process: jobs can outlive their store.
    static QSettings *const settings
        = new QSettings(QStringLiteral("/dev/null/tessera-never-stores-secrets-in-plain-files"), QSettings::IniFormat);
    return settings;
}

Error accessDenied(const QString &message)
{
    return Error::make(QString(Errors::AccessDenied), message);
}

Error lockedError(Kind kind, const QString &key)
{
    switch (kind) {
    case Kind::Read:
    case Kind::Probe:
        return accessDenied(QStringLiteral("The keychain is locked and could not be unlocked, so Tessera cannot read "
                                           "the secret \"%1\"; unlock your keyring and try again.")
                                .arg(key));
    case Kind::Remove:
        return accessDenied(QStringLiteral("The keychain is locked, so Tessera could not delete the secret \"%1\"; "
                                           "unlock your keyring and try again.")
                                .arg(key));
    case Kind::Write:
        break;
    }
    return accessDenied(QStringLiteral("The keychain is locked and could not be unlocked, so Tessera cannot store "
                                       "the secret \"%1\"; unlock your keyring and try again.")
                            .arg(key));
}

Error keychainError(const QString &reported)
{
    QString detail = reported.simplified().left(300);
    if (detail.isEmpty())
        detail = QStringLiteral("no details");
    return Error::make(QString(Errors::KeychainError),
        QStringLiteral("The keychain reported an error (%1); check that GNOME Keyring or KWallet is "
                       "running and try again.")
            .arg(detail));
}

const char *kindName(Kind kind)
{
    switch (kind) {
    case Kind::Read:
        return "read";
    case Kind::Write:
        return "write";
    case Kind::Remove:
        return "remove";
    case Kind::Probe:
        return "probe";
    }
    return "?";
}

} // namespace

struct KeychainSecretStore::Private
{
    KeychainSecretStore *q;
    QString service;
    std::chrono::milliseconds timeout = DefaultTimeout;
    QList<OperationPtr> waiting; // submitted, waiting for the next availability check
    bool checking = false;

    void submit(const OperationPtr &op);
    void runCheck();
    void startJob(const OperationPtr &op);
    void jobFinished(const OperationPtr &op, QKeychain::Job *job);
    void confirmNotFound(const OperationPtr &op);
    void confirmRemoved(const OperationPtr &op);
    void complete(const OperationPtr &op, Result<QByteArray> result);
    void completeLater(const OperationPtr &op, Error error);
};

void KeychainSecretStore::Private::submit(const OperationPtr &op)
{
    if (service.isEmpty())
        return completeLater(op, keychainError(QStringLiteral("Tessera passed an empty keychain service name")));
    if (op->kind != Kind::Probe) {
        if (Status valid = validateKey(op->key); !valid)
            return completeLater(op, std::move(valid).error());
    }

    op->timer = new QTimer(q);
    op->timer->setSingleShot(true);
    QObject::connect(op->timer, &QTimer::timeout, q, [this, op] {
        qCWarning(lcVault) << kindName(op->kind) << op->key << "timed out";
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout).count();
        complete(op,
            Error::make(QString(Errors::KeychainUnavailable),
                QStringLiteral("The keychain did not answer within %1 seconds; if it is asking to be "
                               "unlocked, unlock it and try again.")
                    .arg(std::max<qint64>(seconds, 1))));
    });
    op->timer->start(static_cast<int>(std::clamp<qint64>(timeout.count(), 0, std::numeric_limits<int>::max())));

    waiting.append(op);
    if (!checking)
        runCheck();
}

void KeychainSecretStore::Private::runCheck()
{
    checking = true;
    Internal::checkSecretService(q, busTimeoutMs, [this](Status available) {
        checking = false;
        const QList<OperationPtr> batch = std::exchange(waiting, {});
        const QPointer<KeychainSecretStore> alive(q);
        for (const OperationPtr &op : batch) {
            if (op->finished)
                continue;
            if (available)
                startJob(op);
            else
                complete(op, available.error());
            if (!alive) // a callback destroyed the store
                return;
        }
        if (!waiting.isEmpty() && !checking) // a callback may have submitted (and checked) already
            runCheck();
    });
}

void KeychainSecretStore::Private::startJob(const OperationPtr &op)
{
    // One heap-allocated job per operation (QtKeychain ChangeLog 0.16.0: reused jobs break
    // restore-after-delete). No parent, see the class comment; autoDelete frees it.
    QKeychain::Job *job = nullptr;
    switch (op->kind) {
    case Kind::Read:
    case Kind::Probe:
        job = new QKeychain::ReadPasswordJob(service);
        break;
    case Kind::Write: {
        auto *writeJob = new QKeychain::WritePasswordJob(service);
        // Binary data round-trips arbitrary bytes. A null QByteArray means "delete" on
        // QtKeychain's KWallet path, so an empty secret is passed as empty-but-not-null.
        writeJob->setBinaryData(op->secret.isNull() ? QByteArray("", 0) : op->secret);
        op->secret.clear(); // the job holds the only copy from here on
        job = writeJob;
        break;
    }
    case Kind::Remove:
        job = new QKeychain::DeletePasswordJob(service);
        break;
    }
    job->setKey(op->kind == Kind::Probe ? probeKey() : op->key);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setSettings(noPlaintextSettings());

    // security-cases.md H3: QtKeychain's insecure fallback writes plaintext QSettings. It is never
    // on; should anything ever turn it on, refuse the job before it starts.
    Q_ASSERT(!job->insecureFallback());
    if (job->insecureFallback()) {
        delete job; // not started yet: nothing refers to it
        return complete(op, keychainError(QStringLiteral("the plaintext fallback was enabled, which Tessera refuses")));
    }

    QObject::connect(job, &QKeychain::Job::finished, q, [this, op](QKeychain::Job *j) { jobFinished(op, j); });
    qCDebug(lcVault) << kindName(op->kind) << op->key << "started";
    job->start();
}

void KeychainSecretStore::Private::jobFinished(const OperationPtr &op, QKeychain::Job *job)
{
    if (op->finished) // timed out meanwhile
        return;
    const QKeychain::Error error = job->error();
    qCDebug(lcVault) << kindName(op->kind) << op->key << "finished with QKeychain error" << static_cast<int>(error);

    switch (error) {
    case QKeychain::NoError:
        if (op->kind == Kind::Remove)
            return confirmRemoved(op);
        if (op->kind == Kind::Read)
            return complete(op, static_cast<QKeychain::ReadPasswordJob *>(job)->binaryData());
        return complete(op, QByteArray());
    case QKeychain::EntryNotFound:
        // libsecret reports a locked item whose unlock prompt was dismissed (or could not be
        // shown) as "not found": ask the Secret Service before believing it.
        if (op->kind == Kind::Remove)
            return confirmRemoved(op);
        if (op->kind == Kind::Write)
            return complete(op, keychainError(job->errorString()));
        return confirmNotFound(op);
    case QKeychain::AccessDeniedByUser:
    case QKeychain::AccessDenied:
        qCWarning(lcVault) << kindName(op->kind) << op->key << "denied:" << job->errorString();
        return complete(op, lockedError(op->kind, op->key));
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        qCWarning(lcVault) << kindName(op->kind) << op->key << "no backend:" << job->errorString();
        return complete(op, Internal::noSecretServiceError());
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::OtherError:
        break;
    }

    // OtherError hides "the Secret Service went away" (QtKeychain passes GDBus errors on as
    // text): check again so that such a failure reads as keychain_unavailable.
    const QString reported = job->errorString();
    qCWarning(lcVault) << kindName(op->kind) << op->key << "failed:" << reported;
    Internal::checkSecretService(q, busTimeoutMs, [this, op, reported](Status available) {
        complete(op, available ? keychainError(reported) : available.error());
    });
}

void KeychainSecretStore::Private::confirmNotFound(const OperationPtr &op)
{
    const QString key = op->kind == Kind::Probe ? probeKey() : op->key;
    const QMap<QString, QString> attributes { { QStringLiteral("user"), key }, { QStringLiteral("server"), service } };
    Internal::searchItems(q, attributes, busTimeoutMs, [this, op, key](Result<Internal::ItemCounts> found) {
        if (!found)
            return complete(op, found.error());
        if (found->locked > 0)
            return complete(op, lockedError(op->kind, key));
        complete(op,
            Error::make(
                QString(Errors::NotFound), QStringLiteral("The keychain has no secret named \"%1\".").arg(key)));
    });
}

void KeychainSecretStore::Private::confirmRemoved(const OperationPtr &op)
{
    // libsecret's clear succeeds without deleting anything when the item is locked.
    const QMap<QString, QString> attributes { { QStringLiteral("user"), op->key },
        { QStringLiteral("server"), service } };
    Internal::searchItems(q, attributes, busTimeoutMs, [this, op](Result<Internal::ItemCounts> found) {
        if (!found)
            return complete(op, found.error());
        if (found->locked > 0)
            return complete(op, lockedError(Kind::Remove, op->key));
        complete(op, QByteArray());
    });
}

void KeychainSecretStore::Private::completeLater(const OperationPtr &op, Error error)
{
    QMetaObject::invokeMethod(
        q, [this, op, error = std::move(error)] { complete(op, error); }, Qt::QueuedConnection);
}

void KeychainSecretStore::Private::complete(const OperationPtr &op, Result<QByteArray> result)
{
    if (op->finished)
        return;
    op->finished = true;
    if (op->timer) {
        op->timer->stop();
        op->timer->deleteLater();
        op->timer = nullptr;
    }
    if (!result)
        qCDebug(lcVault) << kindName(op->kind) << op->key << "->" << result.error().code;

    // The callback runs last: it may destroy the store.
    switch (op->kind) {
    case Kind::Read: {
        const auto done = std::move(op->readDone);
        done(std::move(result));
        return;
    }
    case Kind::Probe: {
        const auto done = std::move(op->statusDone);
        if (result || result.error().code == Errors::NotFound)
            done({});
        else
            done(std::move(result).error());
        return;
    }
    case Kind::Write:
    case Kind::Remove: {
        const auto done = std::move(op->statusDone);
        if (result)
            done({});
        else
            done(std::move(result).error());
        return;
    }
    }
}

KeychainSecretStore::KeychainSecretStore(const QString &service, QObject *parent)
    : SecretStore(parent), d(std::make_unique<Private>())
{
    Q_ASSERT(!service.isEmpty());
    d->q = this;
    d->service = service;
}

KeychainSecretStore::~KeychainSecretStore()
{
    if (!d->waiting.isEmpty())
        qCDebug(lcVault) << "store destroyed; dropping" << d->waiting.size() << "pending callbacks";
}

QString KeychainSecretStore::service() const
{
    return d->service;
}

void KeychainSecretStore::setTimeout(std::chrono::milliseconds timeout)
{
    d->timeout = timeout;
}

std::chrono::milliseconds KeychainSecretStore::timeout() const
{
    return d->timeout;
}

void KeychainSecretStore::read(const QString &key, std::function<void(Result<QByteArray>)> done)
{
    auto op = std::make_shared<Operation>();
    op->kind = Kind::Read;
    op->key = key;
    op->readDone = std::move(done);
    d->submit(op);
}

void KeychainSecretStore::write(const QString &key, const QByteArray &secret, std::function<void(Status)> done)
{
    auto op = std::make_shared<Operation>();
    op->kind = Kind::Write;
    op->key = key;
    op->secret = secret;
    op->statusDone = std::move(done);
    d->submit(op);
}

void KeychainSecretStore::remove(const QString &key, std::function<void(Status)> done)
{
    auto op = std::make_shared<Operation>();
    op->kind = Kind::Remove;
    op->key = key;
    op->statusDone = std::move(done);
    d->submit(op);
}

void KeychainSecretStore::probe(std::function<void(Status)> done)
{
    auto op = std::make_shared<Operation>();
    op->kind = Kind::Probe;
    op->statusDone = std::move(done);
    d->submit(op);
}

} // namespace Tessera::Vault
