// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/records.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace Tessera::OAuth {

/**
 * @brief RFC 8414 authorization server metadata, with every member real MCP clients read
 * (mcp-authorization.md §1.2). `issuer` is exactly @p issuer (no trailing slash), never
 * derived from a request's Host header (security-cases D5).
 */
[[nodiscard]] QJsonObject authorizationServerMetadata(const QString &issuer, const QList<Store::Resource> &resources);

/**
 * @brief RFC 9728 protected resource metadata an MCP server should serve at
 * `/.well-known/oauth-protected-resource<path>` (and at the root well-known).
 * `resource` is the canonical resource URI; VS Code requires it to equal the MCP URL.
 */
[[nodiscard]] QJsonObject protectedResourceMetadata(const Store::Resource &resource, const QString &issuer);

/** @brief The well-known URL at which an MCP server serves @p resource's metadata (RFC 9728 §3.1). */
[[nodiscard]] QString protectedResourceMetadataUrl(const QString &resourceUri);

} // namespace Tessera::OAuth
