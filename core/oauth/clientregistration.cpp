// SPDX-License-Identifier: GPL-3.0-or-later
#include "oauth/clientregistration.h"

#include "common/clock.h"
#include "common/logging.h"
#include "common/strictjson.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "oauth/canonical.h"
#include "store/auditlog.h"
#include "store/clientstore.h"
#include "store/database.h"

#include <QJsonArray>
#include <QSet>
#include <QUrl>

#include <cmath>

namespace Tessera::OAuth {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int MaxTypeListItems = 16; // grant_types, response_types
constexpr int MaxCombiningRun = 4;
constexpr int MaxMemberNameChars = 64;
constexpr int ClientIdBytes = 16; // 128 bits: 22 base64url characters
constexpr int ClientSecretBytes = 32; // 256 bits: 43 base64url characters
constexpr qint64 RateWindowMs = 60'000;

const QString kAuthorizationCode = u"authorization_code"_s;
const QString kRefreshToken = u"refresh_token"_s;
const QString kCode = u"code"_s;
const QString kNone = u"none"_s;
const QString kSecretBasic = u"client_secret_basic"_s;
const QString kSecretPost = u"client_secret_post"_s;

OAuthError metadataError(const QString &description)
{
    return OAuthError::invalidClientMetadata(description);
}

bool isPrintableAscii(QStringView s)
{
    return std::all_of(s.begin(), s.end(), [](QChar c) { return c.unicode() >= 0x21 && c.unicode() <= 0x7e; });
}

// A value the client sent may be repeated in an error only when it cannot carry anything
// surprising into a log or a terminal: short printable ASCII without quotes or backslashes.
QString quotedIfSafe(const QString &value)
{
    if (value.size() > 200 || !isPrintableAscii(value) || value.contains(u'"') || value.contains(u'\\'))
        return {};
    return u" (\""_s + value + u"\")"_s;
}

// Zero-width or blank code points that Unicode classifies as letters or marks, not as format
// characters, and that are used to make two names look alike.
bool isInvisibleFiller(char32_t cp)
{
    switch (cp) {
    case 0x034F: // combining grapheme joiner
    case 0x115F: // Hangul choseong filler
    case 0x1160: // Hangul jungseong filler
    case 0x17B4: // Khmer vowel inherent aq
    case 0x17B5: // Khmer vowel inherent aa
    case 0x2800: // braille pattern blank
    case 0x3164: // Hangul filler
    case 0xFFA0: // halfwidth Hangul filler
        return true;
    default:
        return false;
    }
}

void appendCodePoint(QString &out, char32_t cp)
{
    if (QChar::requiresSurrogates(cp)) {
        out.append(QChar(QChar::highSurrogate(cp)));
        out.append(QChar(QChar::lowSurrogate(cp)));
    } else {
        out.append(QChar(static_cast<char16_t>(cp)));
    }
}

Result<QString> httpsUrl(const QString &value, int maxChars)
{
    if (value.isEmpty() || value.size() > maxChars)
        return Error::make(u"invalid_uri"_s, u"is empty or longer than %1 characters"_s.arg(maxChars));
    if (!isPrintableAscii(value) || value.contains(u'\\'))
        return Error::make(
            u"invalid_uri"_s, u"contains spaces, control characters, backslashes or non-ASCII characters"_s);
    const QUrl url = QUrl::fromEncoded(value.toLatin1(), QUrl::StrictMode);
    // security-cases C4/G8: only https links; file:, ms-msdt:, javascript: and custom schemes
    // could start a program if anything ever handed them to the desktop.
    if (!url.isValid() || url.scheme() != u"https"_s || url.host().isEmpty())
        return Error::make(u"invalid_uri"_s, u"must be an https URL"_s);
    if (!url.userInfo().isEmpty() || url.authority().contains(u'@'))
        return Error::make(u"invalid_uri"_s, u"must not contain user information"_s);
    return url.toString(QUrl::FullyEncoded);
}

Result<QStringList, OAuthError> stringList(const QJsonValue &value, const QString &name, int maxItems)
{
    if (!value.isArray())
        return metadataError(name + u" must be an array of strings."_s);
    const QJsonArray array = value.toArray();
    if (array.size() > maxItems)
        return metadataError(u"%1 has more than %2 entries."_s.arg(name).arg(maxItems));
    QStringList out;
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (!array.at(i).isString())
            return metadataError(u"%1[%2] is not a string."_s.arg(name).arg(i));
        out.append(array.at(i).toString());
    }
    return out;
}

Result<QString, OAuthError> stringMember(const QJsonValue &value, const QString &name)
{
    if (!value.isString())
        return metadataError(name + u" must be a string."_s);
    return value.toString();
}

// RFC 7591 §2: a grant or response type list; unsupported entries refused (DCR) or dropped (CIMD).
Result<QStringList, OAuthError> typeList(const QJsonObject &in, const QString &name, const QStringList &supported,
    const QString &required, bool dropUnsupported)
{
    const auto it = in.constFind(name);
    if (it == in.constEnd())
        return QStringList { required };
    auto list = stringList(*it, name, MaxTypeListItems);
    if (!list)
        return list.error();
    QStringList out;
    for (const QString &entry : *list) {
        if (supported.contains(entry)) {
            if (!out.contains(entry))
                out.append(entry);
        } else if (!dropUnsupported) {
            return metadataError(u"%1 contains an unsupported value%2; Tessera supports %3."_s.arg(
                name, quotedIfSafe(entry), supported.join(u", "_s)));
        }
    }
    if (!out.contains(required))
        return metadataError(u"%1 must contain %2."_s.arg(name, required));
    return out;
}

const QSet<QString> &serverAssignedMembers()
{
    // RFC 7591 §3.2.1 / RFC 7592: values only the AS assigns; a request cannot choose them.
    static const QSet<QString> names { u"client_id"_s, u"client_secret"_s, u"client_id_issued_at"_s,
        u"client_secret_expires_at"_s, u"registration_access_token"_s, u"registration_client_uri"_s };
    return names;
}

const QSet<QString> &unsupportedMembers()
{
    // No private_key_jwt (jwks, jwks_uri) and no verification of software statements
    // (RFC 7591 §2.3), so these are ignored rather than stored as if they meant something.
    static const QSet<QString> names { u"jwks"_s, u"jwks_uri"_s, u"software_statement"_s };
    return names;
}

const QStringList &urlMembers()
{
    static const QStringList names { u"client_uri"_s, u"logo_uri"_s, u"policy_uri"_s, u"tos_uri"_s };
    return names;
}

// Unknown members (RFC 7591 §2: the AS MAY ignore them). Returns the value to keep, or
// nothing when it is dropped.
std::optional<QJsonValue> keepableExtra(
    const QString &name, const QJsonValue &value, const ClientMetadataLimits &limits)
{
    if (name.isEmpty() || name.size() > MaxMemberNameChars || !isPrintableAscii(name))
        return std::nullopt;
    switch (value.type()) {
    case QJsonValue::Bool:
        return value;
    case QJsonValue::Double:
        if (!std::isfinite(value.toDouble()))
            return std::nullopt;
        return value;
    case QJsonValue::String: {
        auto text = normalizePlainText(value.toString(), limits.maxTextChars);
        if (!text)
            return std::nullopt;
        return QJsonValue(*text);
    }
    case QJsonValue::Array: {
        const QJsonArray array = value.toArray();
        if (array.size() > limits.maxListItems)
            return std::nullopt;
        QJsonArray kept;
        for (const QJsonValue &item : array) {
            if (!item.isString())
                return std::nullopt;
            auto text = normalizePlainText(item.toString(), limits.maxTextChars);
            if (!text)
                return std::nullopt;
            kept.append(*text);
        }
        return QJsonValue(kept);
    }
    default: // null, objects
        return std::nullopt;
    }
}

} // namespace

Result<QString> normalizePlainText(const QString &text, int maxChars)
{
    const auto reject = [](const QString &why) { return Error::make(u"invalid_text"_s, why); };
    // Lone surrogates first: normalization and UCS-4 conversion would silently replace them.
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isHighSurrogate()) {
            if (i + 1 >= text.size() || !text.at(i + 1).isLowSurrogate())
                return reject(u"contains an unpaired surrogate"_s);
            ++i;
        } else if (c.isLowSurrogate()) {
            return reject(u"contains an unpaired surrogate"_s);
        }
    }
    // security-cases B6: normalise (NFC) before anything is compared, stored or shown.
    const QString nfc = text.normalized(QString::NormalizationForm_C);
    const QList<uint> codePoints = nfc.toUcs4();
    QString out;
    out.reserve(nfc.size());
    int count = 0;
    int combiningRun = 0;
    bool pendingSpace = false;
    bool lastWasBase = false;
    for (const uint u : codePoints) {
        const auto cp = static_cast<char32_t>(u);
        const QChar::Category category = QChar::category(cp);
        switch (category) {
        case QChar::Other_Control: // C0/C1 controls, including NUL, TAB, LF
        case QChar::Other_Format: // bidi overrides and isolates, zero-width space/joiners, BOM, tags
        case QChar::Other_Surrogate:
        case QChar::Other_PrivateUse:
        case QChar::Other_NotAssigned:
        case QChar::Separator_Line:
        case QChar::Separator_Paragraph:
            return reject(u"contains control, formatting or invisible characters"_s);
        default:
            break;
        }
        if (QChar::isNonCharacter(cp) || isInvisibleFiller(cp))
            return reject(u"contains control, formatting or invisible characters"_s);
        if (category == QChar::Separator_Space) {
            pendingSpace = !out.isEmpty();
            lastWasBase = false;
            continue;
        }
        const bool isMark = category == QChar::Mark_NonSpacing || category == QChar::Mark_Enclosing
            || category == QChar::Mark_SpacingCombining;
        if (isMark) {
            // A mark with nothing to sit on would attach to the text around it in a UI; long
            // stacks of marks ("zalgo") draw over neighbouring lines.
            if (!lastWasBase && combiningRun == 0)
                return reject(u"starts a word with a combining mark"_s);
            if (++combiningRun > MaxCombiningRun)
                return reject(u"stacks too many combining marks"_s);
        } else {
            combiningRun = 0;
        }
        if (pendingSpace) {
            out.append(u' ');
            ++count;
            pendingSpace = false;
        }
        appendCodePoint(out, cp);
        lastWasBase = !isMark;
        if (++count > maxChars)
            return reject(u"is longer than %1 characters"_s.arg(maxChars));
    }
    if (out.isEmpty())
        return reject(u"is empty"_s);
    return out;
}

Result<ValidatedClientMetadata, OAuthError> validateClientMetadata(
    const QJsonObject &in, MetadataSource source, const ClientMetadataLimits &limits)
{
    const bool document = source == MetadataSource::MetadataDocument;
    ValidatedClientMetadata out;
    QJsonObject &kept = out.metadata;

    // redirect_uris (RFC 7591 §2): required for the authorization_code grant, the only one there is.
    const auto redirects = in.constFind(u"redirect_uris"_s);
    if (redirects == in.constEnd())
        return OAuthError::invalidRedirectUri(u"redirect_uris is required."_s);
    if (!redirects->isArray())
        return metadataError(u"redirect_uris must be an array of strings."_s);
    const QJsonArray redirectArray = redirects->toArray();
    if (redirectArray.isEmpty())
        return OAuthError::invalidRedirectUri(u"redirect_uris must contain at least one URI."_s);
    // security-cases B5: the count is checked before any item is looked at.
    if (redirectArray.size() > limits.maxRedirectUris)
        return OAuthError::invalidRedirectUri(
            u"At most %1 redirect URIs can be registered."_s.arg(limits.maxRedirectUris));
    for (qsizetype i = 0; i < redirectArray.size(); ++i) {
        const QJsonValue item = redirectArray.at(i);
        if (!item.isString())
            return metadataError(u"redirect_uris[%1] is not a string."_s.arg(i));
        const QString uri = item.toString();
        if (uri.size() > limits.maxUriChars)
            return OAuthError::invalidRedirectUri(
                u"redirect_uris[%1] is longer than %2 characters."_s.arg(i).arg(limits.maxUriChars));
        const auto parsed = parseRedirectUri(uri);
        if (!parsed)
            return OAuthError::invalidRedirectUri(u"redirect_uris[%1]%2 is not allowed: %3"_s.arg(
                QString::number(i), quotedIfSafe(uri), parsed.error().message));
        if (!out.redirectUris.contains(uri))
            out.redirectUris.append(uri);
    }
    kept.insert(u"redirect_uris"_s, QJsonArray::fromStringList(out.redirectUris));

    auto grants = typeList(
        in, u"grant_types"_s, { kAuthorizationCode, kRefreshToken }, kAuthorizationCode, /*dropUnsupported=*/document);
    if (!grants)
        return grants.error();
    kept.insert(u"grant_types"_s, QJsonArray::fromStringList(*grants));
    auto responses = typeList(in, u"response_types"_s, { kCode }, kCode, /*dropUnsupported=*/document);
    if (!responses)
        return responses.error();
    kept.insert(u"response_types"_s, QJsonArray::fromStringList(*responses));

    // RFC 7591 §2: the default is client_secret_basic. CIMD-00 §4.1: a document has no way to
    // share a secret, so it must not name a secret-based method; absent means none.
    out.tokenEndpointAuthMethod = document ? kNone : kSecretBasic;
    if (const auto it = in.constFind(u"token_endpoint_auth_method"_s); it != in.constEnd()) {
        auto method = stringMember(*it, u"token_endpoint_auth_method"_s);
        if (!method)
            return method.error();
        if (document && *method != kNone)
            return metadataError(
                u"A client ID metadata document must use token_endpoint_auth_method \"none\"; shared secrets and key-based methods are not supported."_s);
        if (*method != kNone && *method != kSecretBasic && *method != kSecretPost)
            return metadataError(
                u"token_endpoint_auth_method%1 is not supported; Tessera supports none, client_secret_basic and client_secret_post."_s
                    .arg(quotedIfSafe(*method)));
        out.tokenEndpointAuthMethod = *method;
    }
    kept.insert(u"token_endpoint_auth_method"_s, out.tokenEndpointAuthMethod);

    if (const auto it = in.constFind(u"application_type"_s); it != in.constEnd()) {
        auto type = stringMember(*it, u"application_type"_s);
        if (!type)
            return type.error();
        if (*type != u"native"_s && *type != u"web"_s)
            return metadataError(u"application_type must be \"native\" or \"web\"."_s);
        kept.insert(u"application_type"_s, *type);
    }

    if (const auto it = in.constFind(u"client_name"_s); it != in.constEnd()) {
        auto name = stringMember(*it, u"client_name"_s);
        if (!name)
            return name.error();
        auto clean = normalizePlainText(*name, limits.maxNameChars);
        if (!clean)
            return metadataError(u"client_name "_s + clean.error().message + u'.');
        out.clientName = *clean;
        kept.insert(u"client_name"_s, out.clientName);
    } else if (document) {
        // MCP client-registration: the document MUST contain client_name (AS-10).
        return metadataError(u"The client ID metadata document has no client_name."_s);
    }

    for (const QString &name : urlMembers()) {
        const auto it = in.constFind(name);
        if (it == in.constEnd())
            continue;
        auto value = stringMember(*it, name);
        if (!value)
            return value.error();
        auto url = httpsUrl(*value, limits.maxUriChars);
        if (!url)
            return metadataError(name + u' ' + url.error().message + u'.');
        kept.insert(name, *url);
    }

    if (const auto it = in.constFind(u"scope"_s); it != in.constEnd()) {
        auto scope = stringMember(*it, u"scope"_s);
        if (!scope)
            return scope.error();
        auto scopes = parseScope(*scope);
        if (!scopes)
            return metadataError(u"scope: "_s + scopes.error().message);
        if (!scopes->isEmpty())
            kept.insert(u"scope"_s, joinScope(*scopes));
    }

    if (const auto it = in.constFind(u"contacts"_s); it != in.constEnd()) {
        auto contacts = stringList(*it, u"contacts"_s, limits.maxListItems);
        if (!contacts)
            return contacts.error();
        QJsonArray clean;
        for (const QString &contact : *contacts) {
            auto text = normalizePlainText(contact, limits.maxTextChars);
            if (!text)
                return metadataError(u"A contact "_s + text.error().message + u'.');
            clean.append(*text);
        }
        kept.insert(u"contacts"_s, clean);
    }

    for (const QString &name : { u"software_id"_s, u"software_version"_s }) {
        const auto it = in.constFind(name);
        if (it == in.constEnd())
            continue;
        auto value = stringMember(*it, name);
        if (!value)
            return value.error();
        auto text = normalizePlainText(*value, limits.maxTextChars);
        if (!text)
            return metadataError(name + u' ' + text.error().message + u'.');
        kept.insert(name, *text);
    }

    // CIMD-00 §4.1: "the client_secret and client_secret_expires_at properties MUST NOT be used".
    if (document && (in.contains(u"client_secret"_s) || in.contains(u"client_secret_expires_at"_s)))
        return metadataError(u"A client ID metadata document must not contain a client secret."_s);

    static const QSet<QString> handled { u"redirect_uris"_s, u"grant_types"_s, u"response_types"_s,
        u"token_endpoint_auth_method"_s, u"application_type"_s, u"client_name"_s, u"client_uri"_s, u"logo_uri"_s,
        u"policy_uri"_s, u"tos_uri"_s, u"scope"_s, u"contacts"_s, u"software_id"_s, u"software_version"_s };
    int extras = 0;
    for (auto it = in.constBegin(); it != in.constEnd(); ++it) {
        const QString name = it.key();
        if (handled.contains(name) || serverAssignedMembers().contains(name) || unsupportedMembers().contains(name))
            continue;
        if (extras >= limits.maxExtraMembers)
            break;
        if (auto value = keepableExtra(name, it.value(), limits)) {
            kept.insert(name, *value);
            ++extras;
        }
    }
    return out;
}

ClientMetadataLimits ClientRegistration::Limits::metadataLimits() const
{
    ClientMetadataLimits m;
    m.maxRedirectUris = maxRedirectUris;
    m.maxNameChars = maxNameChars;
    m.maxUriChars = maxUriChars;
    m.maxTextChars = maxTextChars;
    return m;
}

ClientRegistration::ClientRegistration(Store::Database &db, Store::AuditLog &audit, const Clock &clock)
    : ClientRegistration(db, audit, clock, Limits {})
{ }

ClientRegistration::ClientRegistration(
    Store::Database &db, Store::AuditLog &audit, const Clock &clock, const Limits &limits)
    : m_db(db), m_audit(audit), m_clock(clock), m_limits(limits)
{ }

void ClientRegistration::pruneWindow() const
{
    const qint64 cutoff = m_clock.nowMs() - RateWindowMs;
    while (!m_recentMs.empty() && m_recentMs.front() <= cutoff)
        m_recentMs.pop_front();
}

int ClientRegistration::retryAfterSecs() const
{
    pruneWindow();
    if (m_recentMs.size() < static_cast<size_t>(std::max(0, m_limits.maxPerMinute)))
        return 0;
    if (m_recentMs.empty()) // maxPerMinute <= 0: registration is switched off
        return static_cast<int>(RateWindowMs / 1000);
    const qint64 waitMs = m_recentMs.front() + RateWindowMs - m_clock.nowMs();
    return static_cast<int>(std::max<qint64>(1, (waitMs + 999) / 1000));
}

Result<RegistrationResult, OAuthError> ClientRegistration::registerClient(QByteArrayView jsonBody)
{
    // security-cases C5: bounded registrations per minute; the rest get 429 before any parsing.
    if (retryAfterSecs() > 0)
        return OAuthError::make(
            "invalid_request", u"Too many clients were registered in the last minute. Try again later."_s, 429);
    if (jsonBody.size() > m_limits.maxBodyBytes)
        return metadataError(u"The registration request is larger than %1 bytes."_s.arg(m_limits.maxBodyBytes));

    StrictJsonLimits jsonLimits;
    jsonLimits.maxBytes = m_limits.maxBodyBytes;
    jsonLimits.maxDepth = m_limits.maxDepth;
    jsonLimits.maxArrayItems = 64;
    jsonLimits.maxMembers = 64;
    const auto parsed = parseStrictJson(jsonBody, jsonLimits);
    if (!parsed)
        return metadataError(u"The registration request is not acceptable JSON: "_s + parsed.error().message);
    if (!parsed->isObject())
        return metadataError(u"The registration request must be a JSON object."_s);

    const auto validated
        = validateClientMetadata(parsed->toObject(), MetadataSource::Registration, m_limits.metadataLimits());
    if (!validated)
        return validated.error();
    auto result = store(*validated, Store::ClientKind::Dcr, QString());
    if (result)
        m_recentMs.push_back(m_clock.nowMs());
    return result;
}

Result<RegistrationResult, OAuthError> ClientRegistration::addPreregistered(
    const QString &name, const QStringList &redirectUris, bool confidential)
{
    const QJsonObject request {
        { u"client_name"_s, name },
        { u"redirect_uris"_s, QJsonArray::fromStringList(redirectUris) },
        { u"grant_types"_s, QJsonArray { kAuthorizationCode, kRefreshToken } },
        { u"response_types"_s, QJsonArray { kCode } },
        { u"token_endpoint_auth_method"_s, confidential ? kSecretBasic : kNone },
        { u"application_type"_s, u"native"_s },
    };
    const auto validated = validateClientMetadata(request, MetadataSource::Registration, m_limits.metadataLimits());
    if (!validated)
        return validated.error();
    return store(*validated, Store::ClientKind::Preregistered, u"operator"_s);
}

Result<RegistrationResult, OAuthError> ClientRegistration::store(
    const ValidatedClientMetadata &validated, Store::ClientKind kind, const QString &actor)
{
    const auto storeFailure = [](const Error &e) {
        return OAuthError::serverError(u"The client could not be registered."_s).withDebug(e.toString());
    };
    const auto idToken = Crypto::randomToken(ClientIdBytes);
    if (!idToken)
        return storeFailure(idToken.error());
    const qint64 nowSecs = m_clock.nowSecs();

    Store::Client client;
    // A prefix keeps identifiers from starting with '-' (base64url can), which command-line
    // tools would read as an option; '_' is RFC 3986 unreserved.
    client.clientId = (kind == Store::ClientKind::Dcr ? u"dcr_"_s : u"pre_"_s) + *idToken;
    client.kind = kind;
    client.clientName = validated.clientName;
    client.metadata = validated.metadata;
    client.redirectUris = validated.redirectUris;
    client.tokenEndpointAuthMethod = validated.tokenEndpointAuthMethod;
    client.createdAt = nowSecs;
    if (kind == Store::ClientKind::Dcr) {
        client.consented = false;
        client.expiresAt = nowSecs + m_limits.unconsentedTtlSecs;
    } else {
        client.consented = true;
    }

    QString secret;
    if (client.tokenEndpointAuthMethod != kNone) {
        auto token = Crypto::randomToken(ClientSecretBytes);
        if (!token)
            return storeFailure(token.error());
        secret = *token;
        client.secretHash = Crypto::sha256(secret.toLatin1());
        if (client.secretHash.size() != Crypto::Sha256Size)
            return OAuthError::serverError(u"The client could not be registered."_s).withDebug(u"sha256 failed"_s);
    }

    Store::AuditEventInput event;
    event.kind = u"client.registered"_s;
    event.actor = actor.isEmpty() ? u"client:"_s + client.clientId : actor;
    event.clientId = client.clientId;
    event.details = QJsonObject {
        { u"kind"_s, Store::clientKindToString(kind) },
        { u"client_name"_s, client.clientName },
        { u"redirect_uris"_s, QJsonArray::fromStringList(client.redirectUris) },
        { u"token_endpoint_auth_method"_s, client.tokenEndpointAuthMethod },
        { u"confidential"_s, !secret.isEmpty() },
    };

    // The row and its audit event commit together or not at all.
    auto tx = Store::Transaction::begin(m_db);
    if (!tx)
        return storeFailure(tx.error());
    if (Status s = Store::ClientStore(m_db).insert(client); !s)
        return storeFailure(s.error());
    if (auto appended = m_audit.append(event); !appended)
        return storeFailure(appended.error());
    if (Status s = tx->commit(); !s)
        return storeFailure(s.error());

    // RFC 7591 §3.2.1: all registered metadata, plus what the AS assigned.
    QJsonObject response = client.metadata;
    response.insert(u"client_id"_s, client.clientId);
    response.insert(u"client_id_issued_at"_s, nowSecs);
    if (!secret.isEmpty()) {
        response.insert(u"client_secret"_s, secret);
        response.insert(u"client_secret_expires_at"_s, 0); // 0: does not expire
    }
    qCInfo(lcOAuth, "registered client %s (%s)", qUtf8Printable(client.clientId),
        qUtf8Printable(Store::clientKindToString(kind)));
    return RegistrationResult { std::move(client), std::move(response), std::move(secret) };
}

Result<int> ClientRegistration::purgeExpired()
{
    auto tx = Store::Transaction::begin(m_db);
    if (!tx)
        return tx.error();
    auto purged = Store::ClientStore(m_db).purgeExpiredUnconsented(m_clock.nowSecs());
    if (!purged)
        return purged.error();
    if (*purged > 0) {
        Store::AuditEventInput event;
        event.kind = u"client.expired"_s;
        event.actor = u"system"_s;
        event.details = QJsonObject { { u"count"_s, *purged } };
        if (auto appended = m_audit.append(event); !appended)
            return appended.error();
    }
    if (Status s = tx->commit(); !s)
        return s.error();
    return *purged;
}

} // namespace Tessera::OAuth
