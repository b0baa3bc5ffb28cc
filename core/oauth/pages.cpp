// SPDX-License-Identifier: GPL-3.0-or-later
#include "oauth/pages.h"

namespace Tessera::OAuth::Pages {

namespace {

const QByteArray kStyle = QByteArrayLiteral(
    "body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5;"
    "color:#1d2328;background:#f7f8f9}"
    "@media (prefers-color-scheme:dark){body{color:#e3e6e8;background:#1b1f23}}"
    "h1{font-size:1.4rem}.note{opacity:.75;font-size:.9rem}.who{font-weight:600}");

QByteArray page(const QString &title, const QString &body, const QString &head = {})
{
    return QString(QStringLiteral("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                                  "<meta name=\"viewport\" content=\"width=device-width\">")
        + head + QStringLiteral("<title>") + escape(title) + QStringLiteral("</title><style>")
        + QString::fromLatin1(kStyle) + QStringLiteral("</style></head><body>") + body
        + QStringLiteral("</body></html>"))
        .toUtf8();
}

} // namespace

QString escape(const QString &text)
{
    QString out;
    out.reserve(text.size() + 16);
    for (QChar c : text) {
        switch (c.unicode()) {
        case '&':
            out += QStringLiteral("&amp;");
            break;
        case '<':
            out += QStringLiteral("&lt;");
            break;
        case '>':
            out += QStringLiteral("&gt;");
            break;
        case '"':
            out += QStringLiteral("&quot;");
            break;
        case '\'':
            out += QStringLiteral("&#39;");
            break;
        default:
            out += c;
        }
    }
    return out;
}

Http::Response waiting(
    const QString &clientName, const QString &resourceName, const QString &waitPath, const QByteArray &setCookie)
{
    const QString body = QStringLiteral("<h1>Approve this request in Tessera</h1>"
                                        "<p>An agent that calls itself <span class=\"who\">")
        + escape(clientName) + QStringLiteral("</span> (self-asserted name) asks for access to <span class=\"who\">")
        + escape(resourceName)
        + QStringLiteral("</span>.</p><p>Switch to the Tessera window to approve or deny it "
                         "(or run <code>tessera-cli requests</code>). This page continues on its own.</p>"
                         "<p class=\"note\">If nothing happens, <a href=\"")
        + escape(waitPath) + QStringLiteral("\">continue here</a>.</p>");
    // Meta refresh, not script: works with JavaScript off and needs no CSP exception.
    const QString head
        = QStringLiteral("<meta http-equiv=\"refresh\" content=\"0;url=") + escape(waitPath) + QStringLiteral("\">");
    Http::Response r = Http::Response::html(200, page(QStringLiteral("Approve in Tessera"), body, head));
    r.allowInlineStyle(kStyle);
    r.withHeader("Set-Cookie", setCookie);
    return r;
}

Http::Response stillWaiting(const QString &waitPath, int retrySecs)
{
    const QString body
        = QStringLiteral("<h1>Still waiting for your answer in Tessera</h1>"
                         "<p>Approve or deny the request in the Tessera window "
                         "(or run <code>tessera-cli requests</code>). This page continues on its own.</p>"
                         "<p class=\"note\">If nothing happens, <a href=\"")
        + escape(waitPath) + QStringLiteral("\">continue here</a>.</p>");
    const QString head = QStringLiteral("<meta http-equiv=\"refresh\" content=\"") + QString::number(retrySecs)
        + QStringLiteral(";url=") + escape(waitPath) + QStringLiteral("\">");
    Http::Response r = Http::Response::html(200, page(QStringLiteral("Approve in Tessera"), body, head));
    r.allowInlineStyle(kStyle);
    return r;
}

Http::Response error(int status, const QString &title, const QString &detail)
{
    const QString body = QStringLiteral("<h1>") + escape(title) + QStringLiteral("</h1><p>") + escape(detail)
        + QStringLiteral("</p><p class=\"note\">Tessera did not send you back to the application, "
                         "because it could not confirm where it is safe to send you.</p>");
    Http::Response r = Http::Response::html(status, page(title, body));
    r.allowInlineStyle(kStyle);
    return r;
}

} // namespace Tessera::OAuth::Pages
