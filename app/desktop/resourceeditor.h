// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QPointer>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

namespace Tessera::App {

class DashboardContext;

/**
 * @brief The add/edit form of a protected resource, with one error message per field.
 *
 * validate() checks what ResourceStore would refuse, field by field, so the form can show the
 * message beside the field instead of one sentence for the whole form; save() writes through
 * ResourceStore (which validates again) and audits resource.added / resource.updated.
 *
 * The introspection secret, when one is made, is handed out once in issuedSecret and only its
 * SHA-256 is stored.
 */
class ResourceEditor : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    /** 0 while adding a new resource. */
    Q_PROPERTY(qint64 resourceId READ resourceId NOTIFY loaded)
    Q_PROPERTY(bool isNew READ isNew NOTIFY loaded)
    Q_PROPERTY(QString name READ name WRITE setName NOTIFY fieldsChanged)
    Q_PROPERTY(QString displayName READ displayName WRITE setDisplayName NOTIFY fieldsChanged)
    Q_PROPERTY(QString uri READ uri WRITE setUri NOTIFY fieldsChanged)
    Q_PROPERTY(int tokenLifetimeSecs READ tokenLifetimeSecs WRITE setTokenLifetimeSecs NOTIFY fieldsChanged)
    /** [{name, description, risk ("low"/"high"), isDefault}] in the order shown. */
    Q_PROPERTY(QVariantList scopes READ scopes WRITE setScopes NOTIFY fieldsChanged)
    /** The resource may call /introspect (with a secret of its own). */
    Q_PROPERTY(bool introspection READ introspection WRITE setIntrospection NOTIFY fieldsChanged)
    /** Make a new introspection secret on save (always when introspection is turned on). */
    Q_PROPERTY(bool renewSecret READ renewSecret WRITE setRenewSecret NOTIFY fieldsChanged)
    Q_PROPERTY(bool hadIntrospection READ hadIntrospection NOTIFY loaded)

    Q_PROPERTY(QString nameError READ nameError NOTIFY errorsChanged)
    Q_PROPERTY(QString uriError READ uriError NOTIFY errorsChanged)
    Q_PROPERTY(QString lifetimeError READ lifetimeError NOTIFY errorsChanged)
    Q_PROPERTY(QString scopesError READ scopesError NOTIFY errorsChanged)
    /** Row of the scope scopesError is about, or -1. */
    Q_PROPERTY(int scopeErrorIndex READ scopeErrorIndex NOTIFY errorsChanged)
    Q_PROPERTY(QString formError READ formError NOTIFY errorsChanged)
    Q_PROPERTY(bool hasErrors READ hasErrors NOTIFY errorsChanged)
    /** The URI as it will be stored (canonical), or empty while it is invalid. */
    Q_PROPERTY(QString canonicalUri READ canonicalUri NOTIFY fieldsChanged)
    /** After save(): the new introspection secret, shown once. */
    Q_PROPERTY(QString issuedSecret READ issuedSecret NOTIFY issuedSecretChanged)

public:
    static constexpr int MinLifetimeSecs = 1;
    static constexpr int MaxLifetimeSecs = 3600; ///< OAuth::KeyManager::MaxTokenLifetimeSecs

    explicit ResourceEditor(QObject *parent = nullptr);
    ResourceEditor(DashboardContext *context, QObject *parent);

    [[nodiscard]] qint64 resourceId() const { return m_resourceId; }
    [[nodiscard]] bool isNew() const { return m_resourceId == 0; }
    [[nodiscard]] QString name() const { return m_name; }
    void setName(const QString &v);
    [[nodiscard]] QString displayName() const { return m_displayName; }
    void setDisplayName(const QString &v);
    [[nodiscard]] QString uri() const { return m_uri; }
    void setUri(const QString &v);
    [[nodiscard]] int tokenLifetimeSecs() const { return m_lifetime; }
    void setTokenLifetimeSecs(int v);
    [[nodiscard]] QVariantList scopes() const { return m_scopes; }
    void setScopes(const QVariantList &v);
    [[nodiscard]] bool introspection() const { return m_introspection; }
    void setIntrospection(bool v);
    [[nodiscard]] bool renewSecret() const { return m_renewSecret; }
    void setRenewSecret(bool v);
    [[nodiscard]] bool hadIntrospection() const { return m_hadIntrospection; }

    [[nodiscard]] QString nameError() const { return m_nameError; }
    [[nodiscard]] QString uriError() const { return m_uriError; }
    [[nodiscard]] QString lifetimeError() const { return m_lifetimeError; }
    [[nodiscard]] QString scopesError() const { return m_scopesError; }
    [[nodiscard]] int scopeErrorIndex() const { return m_scopeErrorIndex; }
    [[nodiscard]] QString formError() const { return m_formError; }
    [[nodiscard]] bool hasErrors() const;
    [[nodiscard]] QString canonicalUri() const;
    [[nodiscard]] QString issuedSecret() const { return m_issuedSecret; }

    /** @brief An empty form: one read scope, the default token lifetime from Settings. */
    Q_INVOKABLE void startNew();
    /** @brief The form of an existing resource; false if it is gone. */
    Q_INVOKABLE bool load(qint64 resourceId);
    /** @brief Checks every field and sets the error properties; true when all are fine. */
    Q_INVOKABLE bool validate();
    /** @brief validate(), then add or update (audited). */
    Q_INVOKABLE bool save();
    Q_INVOKABLE void clearIssuedSecret();
    /** @brief A CLI handle made from a display name ("GitHub MCP" -> "github-mcp"). */
    [[nodiscard]] Q_INVOKABLE static QString suggestName(const QString &displayName);

Q_SIGNALS:
    void loaded();
    void fieldsChanged();
    void errorsChanged();
    void issuedSecretChanged();
    void saved(qint64 resourceId);

private:
    void clearErrors();

    QPointer<DashboardContext> m_context;
    qint64 m_resourceId = 0;
    QString m_name;
    QString m_displayName;
    QString m_uri;
    int m_lifetime = 300;
    QVariantList m_scopes;
    bool m_introspection = false;
    bool m_renewSecret = false;
    bool m_hadIntrospection = false;
    QByteArray m_existingSecretHash;
    qint64 m_createdAt = 0;

    QString m_nameError;
    QString m_uriError;
    QString m_lifetimeError;
    QString m_scopesError;
    int m_scopeErrorIndex = -1;
    QString m_formError;
    QString m_issuedSecret;
};

} // namespace Tessera::App
