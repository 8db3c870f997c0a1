#include "settingsdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

using namespace perfwatch;

namespace {

template<typename W>
W *field(SettingsDialog &dialog, const char *name)
{
    W *w = dialog.findChild<W *>(QString::fromLatin1(name));
    if (!w)
        qFatal("no field %s", name);
    return w;
}

AppSettings custom()
{
    AppSettings s;
    s.slowApiMs = 750;
    s.slowDbMs = 120;
    s.minThroughput = 40;
    s.bindAddress = QStringLiteral("127.0.0.1");
    s.port = 14318;
    s.statsdPort = 18125;
    s.grpcPort = -1; // off
    s.token = QStringLiteral("secret-token");
    s.refreshMs = 2000;
    s.language = QStringLiteral("de");
    s.closeToTray = true;
    s.notifications = false;
    s.dataDir = QStringLiteral("/tmp/perfwatch-test");
    s.retentionHours = 72;
    s.cleanupIntervalMinutes = 15;
    s.maxMetricHistory = 500;
    s.maxKeys = 2000;
    s.reportHours = 12;
    s.reportPageSize = QStringLiteral("Letter");
    s.scheduledReports = true;
    s.scheduledReportEveryHours = 6;
    s.scheduledReportDir = QStringLiteral("/tmp/perfwatch-reports");
    return s;
}

void compareSettings(const AppSettings &a, const AppSettings &b)
{
    QCOMPARE(a.slowApiMs, b.slowApiMs);
    QCOMPARE(a.slowDbMs, b.slowDbMs);
    QCOMPARE(a.minThroughput, b.minThroughput);
    QCOMPARE(a.bindAddress, b.bindAddress);
    QCOMPARE(a.port, b.port);
    QCOMPARE(a.statsdPort, b.statsdPort);
    QCOMPARE(a.grpcPort, b.grpcPort);
    QCOMPARE(a.token, b.token);
    QCOMPARE(a.refreshMs, b.refreshMs);
    QCOMPARE(a.language, b.language);
    QCOMPARE(a.closeToTray, b.closeToTray);
    QCOMPARE(a.notifications, b.notifications);
    QCOMPARE(a.dataDir, b.dataDir);
    QCOMPARE(a.retentionHours, b.retentionHours);
    QCOMPARE(a.cleanupIntervalMinutes, b.cleanupIntervalMinutes);
    QCOMPARE(a.maxMetricHistory, b.maxMetricHistory);
    QCOMPARE(a.maxKeys, b.maxKeys);
    QCOMPARE(a.reportHours, b.reportHours);
    QCOMPARE(a.reportPageSize, b.reportPageSize);
    QCOMPARE(a.scheduledReports, b.scheduledReports);
    QCOMPARE(a.scheduledReportEveryHours, b.scheduledReportEveryHours);
    QCOMPARE(a.scheduledReportDir, b.scheduledReportDir);
}

} // namespace

class TestSettingsDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTripThroughQSettings()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("perfwatch.ini"));
        const AppSettings start = custom();
        {
            QSettings store(file, QSettings::IniFormat);
            SettingsDialog dialog(start, &store);
            compareSettings(dialog.settings(), start); // the widgets show what they were given

            field<QDoubleSpinBox>(dialog, "slowApiMs")->setValue(640);
            field<QSpinBox>(dialog, "port")->setValue(4400);
            field<QLineEdit>(dialog, "bindAddress")->setText(QStringLiteral("::1"));
            field<QSpinBox>(dialog, "refreshMs")->setValue(5000);
            field<QCheckBox>(dialog, "notifications")->setChecked(true);
            field<QSpinBox>(dialog, "scheduledReportEveryHours")->setValue(8);
            field<QComboBox>(dialog, "reportPageSize")->setCurrentIndex(0);
            QSignalSpy applied(&dialog, &SettingsDialog::settingsApplied);
            dialog.accept();
            QCOMPARE(dialog.result(), int(QDialog::Accepted));
            QCOMPARE(applied.count(), 1);
            const auto emitted = applied.at(0).at(0).value<AppSettings>();
            QCOMPARE(emitted.slowApiMs, 640.0);
            QCOMPARE(emitted.port, 4400);
            QCOMPARE(emitted.bindAddress, QStringLiteral("::1"));
            QVERIFY(dialog.errorText().isEmpty());
        }
        // Back from the file, and into a new dialog.
        QSettings reread(file, QSettings::IniFormat);
        AppSettings loaded;
        loaded.load(reread);
        AppSettings expected = custom();
        expected.slowApiMs = 640;
        expected.port = 4400;
        expected.bindAddress = QStringLiteral("::1");
        expected.refreshMs = 5000;
        expected.notifications = true;
        expected.scheduledReportEveryHours = 8;
        expected.reportPageSize = QStringLiteral("A4");
        compareSettings(loaded, expected);
        SettingsDialog again(loaded, &reread);
        QCOMPARE(field<QDoubleSpinBox>(again, "slowApiMs")->value(), 640.0);
        QCOMPARE(field<QSpinBox>(again, "port")->value(), 4400);
        QCOMPARE(field<QComboBox>(again, "language")->currentData().toString(), QStringLiteral("de"));
    }

    void refusesABadValueWithTheReason_data()
    {
        QTest::addColumn<QString>("fieldName");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("reason");
        QTest::newRow("bind address") << QStringLiteral("bindAddress") << QStringLiteral("not-an-ip")
                                      << QStringLiteral("bind address \"not-an-ip\" is not an IP address");
        QTest::newRow("same ports") << QStringLiteral("statsdPort") << QStringLiteral("14318")
                                    << QStringLiteral("the HTTP and StatsD ports must differ");
        QTest::newRow("same HTTP and gRPC ports") << QStringLiteral("grpcPort") << QStringLiteral("14318")
                                                  << QStringLiteral("the HTTP and OTLP/gRPC ports must differ");
        QTest::newRow("refresh") << QStringLiteral("refreshMs") << QStringLiteral("50")
                                 << QStringLiteral("refresh interval must be between 100 ms and 60 s");
        QTest::newRow("public without token") << QStringLiteral("token") << QString()
                                              << QStringLiteral("binding 0.0.0.0 exposes PerfWatch beyond this "
                                                                "machine and needs a token");
        QTest::newRow("schedule without folder") << QStringLiteral("scheduledReportDir") << QString()
                                                 << QStringLiteral("scheduled reports need a folder to write into");
    }
    void refusesABadValueWithTheReason()
    {
        QFETCH(QString, fieldName);
        QFETCH(QString, value);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("perfwatch.ini"));
        QSettings store(file, QSettings::IniFormat);
        AppSettings start = custom();
        if (fieldName == u"token")
            start.bindAddress = QStringLiteral("0.0.0.0");
        SettingsDialog dialog(start, &store);
        if (auto *edit = dialog.findChild<QLineEdit *>(fieldName))
            edit->setText(value);
        else
            field<QSpinBox>(dialog, qPrintable(fieldName))->setValue(value.toInt());
        QSignalSpy applied(&dialog, &SettingsDialog::settingsApplied);
        dialog.accept();
        QCOMPARE(applied.count(), 0);
        QVERIFY(dialog.result() != int(QDialog::Accepted));
        QVERIFY2(dialog.errorText().contains(reason), qPrintable(dialog.errorText()));
        QVERIFY(dialog.errorText().startsWith(QStringLiteral("These values cannot be used:")));
        store.sync();
        QVERIFY(!store.contains(QStringLiteral("server/port"))); // nothing was saved
    }
};

QTEST_MAIN(TestSettingsDialog)
#include "tst_settingsdialog.moc"
