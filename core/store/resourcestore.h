// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "store/records.h"

#include <optional>

namespace Tessera::Store {

class Database;
class Query;

/**
 * @brief Protected resources (MCP servers) and their scopes.
 *
 * A resource is looked up by its canonical URI (the audience of its tokens) or by its short
 * name (the CLI handle). Removing a resource removes its scopes, grants, codes, refresh
 * families and consent requests (ON DELETE CASCADE); audit events keep the URI as text.
 */
class ResourceStore
{
public:
    explicit ResourceStore(Database &db) : m_db(db) { }

    /**
     * @brief The canonical form of a resource URI (RFC 8707 §2, mcp-authorization.md §0.2 item 5).
     *
     * http or https, a host, no user info, no fragment; scheme and host lower-cased, a default
     * port dropped, a lone "/" path removed (`http://127.0.0.1:8931/` == `http://127.0.0.1:8931`).
     * Fails with invalid_argument otherwise.
     */
    [[nodiscard]] static Result<QString> canonicalUri(const QString &uri);
    /** @brief A CLI handle: [a-z0-9][a-z0-9._-]{0,63}. */
    [[nodiscard]] static bool isValidName(const QString &name);

    /**
     * @brief Stores a new resource with its scopes; returns it with id, canonical uri and times.
     *
     * Errors: invalid_argument (bad uri, name, scope name, risk, duplicate scope, default scope
     * not among the scopes, lifetime outside 1..86400 s), resource_exists (uri or name taken).
     */
    [[nodiscard]] Result<Resource> add(Resource resource, qint64 nowSecs);
    /** @brief Replaces everything but id and createdAt (scopes included). resource_unknown, as add(). */
    [[nodiscard]] Result<Resource> update(Resource resource, qint64 nowSecs);
    /** @brief Whether a resource was removed. */
    [[nodiscard]] Result<bool> remove(qint64 id);

    [[nodiscard]] Result<std::optional<Resource>> find(qint64 id);
    /** @brief Looks up by canonical URI; @p uri is canonicalized first. */
    [[nodiscard]] Result<std::optional<Resource>> findByUri(const QString &uri);
    [[nodiscard]] Result<std::optional<Resource>> findByName(const QString &name);
    /** @brief All resources, ordered by name. */
    [[nodiscard]] Result<QList<Resource>> list();

private:
    [[nodiscard]] Status validate(Resource &resource) const;
    [[nodiscard]] Status checkUnique(const Resource &resource);
    [[nodiscard]] Status writeScopes(const Resource &resource);
    [[nodiscard]] Result<std::optional<Resource>> findWhere(const QString &column, const QVariant &value);
    [[nodiscard]] Result<QList<ResourceScope>> loadScopes(qint64 id);

    Database &m_db;
};

} // namespace Tessera::Store
