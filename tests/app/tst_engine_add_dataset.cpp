// The app's side of adding a dataset to a running session: the grant the engine's broker checks
// (a grant the broker would refuse means a drop that never appears; a key on the command line
// would be readable by every process of the user), and the add-dataset command's round trip
// through EngineSession against a ControlServer in this process.

#include "DatasetGrant.h"
#include "EngineLaunch.h"
#include "broker/GrantKey.h"
#include "tst_engine_support.h"

#include <QSignalSpy>
#include <QTest>

class TestEngineAddDataset : public QObject {
    Q_OBJECT

private:
    static QByteArray sequentialKey()
    {
        QByteArray key;
        for (int i = 0; i < app::DatasetGrant::kKeyBytes; ++i)
            key.append(static_cast<char>(i));
        return key;
    }

    // Answers the engine's oldest pending add-dataset command on the server's side.
    static void answerAdd(FakeTarget& target, vmm::ControlReply reply)
    {
        vmm::ControlTarget::AddDatasetDone done;
        {
            std::lock_guard lock(target.mutex);
            // addCommands keeps every command; pendingAdds only the unanswered, oldest first.
            reply.id = target.addCommands[target.addCommands.size() - target.pendingAdds.size()].id;
            done = std::move(target.pendingAdds.front());
            target.pendingAdds.erase(target.pendingAdds.begin());
        }
        done(std::move(reply));
    }

private slots:
    void initTestCase() { qRegisterMetaType<app::EngineState>(); }

    void anAddCarriesTheGrantAndReturnsWhatTheEngineMounted()
    {
        FakeTarget target;
        FakeEngine engine(target);
        app::EngineSession session;
        QByteArray key = app::DatasetGrant::makeKey();
        QVERIFY(session.attach(engine.takeAppSide(), {}, key));
        QTRY_COMPARE(session.state(), app::EngineState::Running);
        QVERIFY(session.canAddDatasets());

        QString path = QStringLiteral("/srv/study/labs 2025");
        auto adding = session.addDataset(QStringLiteral("labs 2025"), path);
        QTRY_COMPARE(target.addCount(), size_t {1});
        vmm::AddDatasetCommand command;
        {
            std::lock_guard lock(target.mutex);
            command = target.addCommands.front();
        }
        QCOMPARE(QString::fromStdString(command.name), QStringLiteral("labs 2025"));
        QCOMPARE(QString::fromStdString(command.path), path);
        QCOMPARE(QByteArray::fromStdString(command.grant),
            app::DatasetGrant::mac(key, QStringLiteral("labs 2025"), path));
        QVERIFY(!adding.isFinished()); // the answer comes only once the guest has it mounted

        vmm::ControlReply reply;
        reply.dataset = vmm::DatasetAdded {"labs 2025", 12, 3, 40960, 90112, 640};
        answerAdd(target, reply);
        QTRY_VERIFY(adding.isFinished());
        auto added = adding.result();
        QVERIFY2(added, added ? "" : qPrintable(added.error().message));
        QCOMPARE(added->name, QStringLiteral("labs 2025"));
        QCOMPARE(added->fileCount, 12);
        QCOMPARE(added->folderCount, 3);
        QCOMPARE(added->totalBytes, 40960);
        QCOMPARE(added->mountMs, 640);
    }

    void theEnginesRefusalReachesTheUserWithItsReason()
    {
        FakeTarget target;
        FakeEngine engine(target);
        app::EngineSession session;
        QVERIFY(session.attach(engine.takeAppSide(), {}, app::DatasetGrant::makeKey()));
        QTRY_COMPARE(session.state(), app::EngineState::Running);
        auto adding = session.addDataset(QStringLiteral("scans"), QStringLiteral("/srv/scans"));
        QTRY_COMPARE(target.addCount(), size_t {1});
        answerAdd(target,
            vmm::ControlReply::failed(0,
                "this session can take no more datasets; start a new session with them"));
        QTRY_VERIFY(adding.isFinished());
        auto added = adding.result();
        QVERIFY(!added);
        QVERIFY2(added.error().message.contains(QLatin1String("\"scans\" was not added")),
            qPrintable(added.error().message));
        QVERIFY2(added.error().message.contains(QLatin1String("start a new session")),
            qPrintable(added.error().message));

        // An answer about another dataset is not believed.
        auto second = session.addDataset(QStringLiteral("scans"), QStringLiteral("/srv/scans"));
        QTRY_COMPARE(target.addCount(), size_t {2});
        vmm::ControlReply wrong;
        wrong.dataset = vmm::DatasetAdded {"other", 1, 0, 1, 4096, 5};
        answerAdd(target, wrong);
        QTRY_VERIFY(second.isFinished());
        QVERIFY(!second.result());
    }

    void aSessionWithoutAKeyRefusesWithoutAskingTheEngine()
    {
        FakeTarget target;
        FakeEngine engine(target);
        app::EngineSession session;
        QVERIFY(session.attach(engine.takeAppSide()));
        QTRY_COMPARE(session.state(), app::EngineState::Running);
        QVERIFY(!session.canAddDatasets());
        auto adding = session.addDataset(QStringLiteral("scans"), QStringLiteral("/srv/scans"));
        QVERIFY(adding.isFinished());
        QVERIFY(!adding.result());
        QVERIFY(adding.result().error().message.contains(QLatin1String("new session")));
        QTest::qWait(100);
        QCOMPARE(target.addCount(), size_t {0});
    }

    void macMatchesAnIndependentHmac_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("expected");
        // printf 'airlock-dataset-grant-v1\n<name>\n<path>' | openssl dgst -sha256 -mac HMAC
        //     -macopt hexkey:000102...1f
        QTest::newRow("ascii") << QStringLiteral("cohort") << QStringLiteral("/srv/study/cohort 2024")
                               << QByteArray("4d9a107febeb89df9e55abac29165b92d1c52b32a737ef5d31324caaaa6927a8");
        QTest::newRow("utf-8") << QStringLiteral("kohorte-ü") << QStringLiteral("/daten/ü")
                               << QByteArray("1731420b7d4f3912b54c45b474bc4ada3742d20c3f94ea6aa46b4f673446f94c");
    }

    void macMatchesAnIndependentHmac()
    {
        QFETCH(QString, name);
        QFETCH(QString, path);
        QFETCH(QByteArray, expected);
        QCOMPARE(app::DatasetGrant::mac(sequentialKey(), name, path), expected);
    }

    void macIsWhatTheEngineChecks()
    {
        // The broker in airlock-vmm computes the same HMAC with OpenSSL (vmm/broker/GrantKey).
        QByteArray key = app::DatasetGrant::makeKey();
        QString name = QStringLiteral("labs 2025");
        QString path = QStringLiteral("/home/analyst/Downloads/labs 2025/Ä");
        std::array<uint8_t, 32> rawKey {};
        std::copy(key.cbegin(), key.cend(), rawKey.begin());
        QByteArray nameUtf8 = name.toUtf8();
        QByteArray pathUtf8 = path.toUtf8();
        auto engineMac = vmm::grantMac(rawKey,
            std::string_view(nameUtf8.constData(), static_cast<size_t>(nameUtf8.size())),
            std::string_view(pathUtf8.constData(), static_cast<size_t>(pathUtf8.size())));
        QVERIFY(engineMac.has_value());
        QByteArray engineHex = QByteArray(reinterpret_cast<const char*>(engineMac->data()),
            static_cast<qsizetype>(engineMac->size()))
                                   .toHex();
        QCOMPARE(app::DatasetGrant::mac(key, name, path), engineHex);
        auto parsed = vmm::parseGrantMac(app::DatasetGrant::mac(key, name, path).toStdString());
        QVERIFY(parsed.has_value());
        QVERIFY(*parsed == *engineMac);
        // Another name or path for the same key is another grant.
        QVERIFY(app::DatasetGrant::mac(key, name + QLatin1Char('x'), path) != engineHex);
        QVERIFY(app::DatasetGrant::mac(key, name, path + QLatin1Char('/')) != engineHex);
    }

    void keysAreFreshAndFullLength()
    {
        QByteArray first = app::DatasetGrant::makeKey();
        QByteArray second = app::DatasetGrant::makeKey();
        QCOMPARE(first.size(), app::DatasetGrant::kKeyBytes);
        QCOMPARE(second.size(), app::DatasetGrant::kKeyBytes);
        QVERIFY(first != second);
        QVERIFY(first != QByteArray(app::DatasetGrant::kKeyBytes, '\0'));
    }

    void keyTravelsInTheEnvironmentNeverTheArguments()
    {
        app::EngineLaunch launch;
        launch.vmmPath = QStringLiteral("/opt/airlock/airlock-vmm");
        launch.datasetGrantKey = sequentialKey();
        QString hex = QString::fromLatin1(sequentialKey().toHex());
        QProcessEnvironment environment = launch.environment(3, QProcessEnvironment());
        QCOMPARE(environment.value(QString::fromLatin1(app::DatasetGrant::kKeyVariable)), hex);
        QVERIFY(!launch.arguments(3).join(QLatin1Char(' ')).contains(hex));
        // Without a key, one inherited from the app's own environment is not passed on.
        launch.datasetGrantKey.clear();
        QProcessEnvironment inherited;
        inherited.insert(QString::fromLatin1(app::DatasetGrant::kKeyVariable), hex);
        QVERIFY(!launch.environment(3, inherited)
                     .contains(QString::fromLatin1(app::DatasetGrant::kKeyVariable)));
    }
};

QTEST_GUILESS_MAIN(TestEngineAddDataset)
#include "tst_engine_add_dataset.moc"
