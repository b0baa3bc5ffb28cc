// SPDX-License-Identifier: GPL-3.0-or-later
// Qt Quick Test runner for the consent prompt (tst_*.qml in this folder). The setup builds
// the PromptFixture (a real broker on a temporary SQLite file) before any QML loads.
#include "promptfixture.h"

#include <QQmlEngine>
#include <QQuickStyle>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest/quicktest.h>

Q_IMPORT_QML_PLUGIN(Tessera_AppPlugin)
Q_IMPORT_QML_PLUGIN(Tessera_UiPlugin)
Q_IMPORT_QML_PLUGIN(Tessera_PromptTestPlugin)

class Setup : public QObject
{
    Q_OBJECT
public Q_SLOTS:
    void applicationAvailable()
    {
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
        m_fixture = new Tessera::Test::PromptFixture(this);
    }
    void qmlEngineAvailable(QQmlEngine *engine) { engine->addImportPath(QStringLiteral("qrc:/qt/qml")); }
    void cleanupTestCase()
    {
        delete m_fixture;
        m_fixture = nullptr;
    }

private:
    Tessera::Test::PromptFixture *m_fixture = nullptr;
};

QUICK_TEST_MAIN_WITH_SETUP(tst_prompt, Setup)

#include "tst_prompt.moc"
