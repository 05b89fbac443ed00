// How a user describes a machine: memory sizes, the JSON config file and airlock-vmm's options.
// Every mistake is an error that names the key, option or value that is wrong.

#include "machine/ConfigFile.h"
#include "machine/GuestParameters.h"
#include "runner/Options.h"

#include <string>
#include <vector>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "TestHelpers.h"

using namespace vmm;

namespace {

constexpr uint64_t MiB = 1ull << 20;
constexpr uint64_t GiB = 1ull << 30;


Result<Options> parse(const QStringList& arguments)
{
    std::vector<std::string> words;
    for (const QString& argument : arguments)
        words.push_back(argument.toStdString());
    return parseOptions(words);
}

std::vector<std::string> words(const QStringList& list)
{
    std::vector<std::string> result;
    for (const QString& word : list)
        result.push_back(word.toStdString());
    return result;
}

} // namespace

class MachineConfigTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;

    QString writeFile(const QString& name, const QByteArray& bytes)
    {
        return writeTestFile(m_directory, name, bytes);
    }

private slots:
    void initTestCase() { QVERIFY2(m_directory.isValid(), "cannot create a temporary directory"); }

    void memorySizeInMiBOrWithAUnit_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<quint64>("bytes");
        QTest::newRow("plain number is MiB") << "512" << quint64 {512 * MiB};
        QTest::newRow("M") << "512M" << quint64 {512 * MiB};
        QTest::newRow("m") << "64m" << quint64 {64 * MiB};
        QTest::newRow("MiB") << "768MiB" << quint64 {768 * MiB};
        QTest::newRow("G") << "2G" << quint64 {2 * GiB};
        QTest::newRow("g") << "1g" << quint64 {GiB};
        QTest::newRow("GiB") << "16GiB" << quint64 {16 * GiB};
    }
    void memorySizeInMiBOrWithAUnit()
    {
        QFETCH(QString, text);
        QFETCH(quint64, bytes);
        auto size = parseMemorySize(text.toStdString());
        QVERIFY2(size, size ? "" : size.error().message().c_str());
        QCOMPARE(*size, bytes);
    }

    void memorySizeMistakesAreNamed_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("keywords");
        QTest::newRow("word") << "abc" << QStringList {"'abc' is not a size"};
        QTest::newRow("empty") << "" << QStringList {"is not a size"};
        QTest::newRow("negative") << "-1" << QStringList {"'-1' is not a size"};
        QTest::newRow("zero") << "0" << QStringList {"'0' is out of range"};
        QTest::newRow("zero G") << "0G" << QStringList {"out of range"};
        QTest::newRow("terabytes") << "12T" << QStringList {"unknown unit 'T'", "M or G"};
        QTest::newRow("fraction") << "1.5G" << QStringList {"unknown unit '.5G'"};
        QTest::newRow("space before unit") << "512 M" << QStringList {"unknown unit"};
        QTest::newRow("more than fits") << "99999999999999999999" << QStringList {"is not a size"};
        QTest::newRow("overflows when scaled") << "9000000000000G" << QStringList {"out of range"};
    }
    void memorySizeMistakesAreNamed()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, keywords);
        auto size = parseMemorySize(text.toStdString());
        QVERIFY2(!size, ("accepted as " + std::to_string(size ? *size : 0) + " bytes").c_str());
        QVERIFY2(containsAll(size.error().message(), keywords), size.error().message().c_str());
    }

    void configReadsEveryKey()
    {
        auto config = parseMachineConfig(R"({
            "kernel": "/boot/bzImage",
            "initramfs": "/boot/initramfs.img",
            "cmdline": "loglevel=7",
            "memory": 1024,
            "vcpus": 4,
            "command": ["sh", "-c", "echo hi"]
        })",
            "/etc/airlock");
        QVERIFY2(config, config ? "" : config.error().message().c_str());
        QCOMPARE(config->kernelPath, std::string("/boot/bzImage"));
        QVERIFY(config->initrdPath);
        QCOMPARE(*config->initrdPath, std::string("/boot/initramfs.img"));
        QCOMPARE(config->commandLineAppend, std::string("loglevel=7"));
        QCOMPARE(config->memoryBytes, GiB);
        QCOMPARE(config->vcpuCount, 4u);
        QVERIFY(config->command == words({"sh", "-c", "echo hi"}));
        QCOMPARE(config->kvmDevicePath, std::string("/dev/kvm"));
    }

    void configWithoutOptionalKeysKeepsTheDefaults()
    {
        auto config = parseMachineConfig(R"({"kernel": "/boot/bzImage", "memory": "2G"})", "");
        QVERIFY2(config, config ? "" : config.error().message().c_str());
        QCOMPARE(config->memoryBytes, 2 * GiB);
        QCOMPARE(config->vcpuCount, 1u);
        QVERIFY(!config->initrdPath);
        QVERIFY(config->command.empty());
        QVERIFY(config->commandLineAppend.empty());
    }

    void relativePathsAreRelativeToTheConfigFile()
    {
        QVERIFY(QDir(m_directory.path()).mkpath("machines"));
        QString path = writeFile("machines/vm.json",
            R"({"kernel": "bzImage", "initramfs": "../images/initrd.img", "cmdline": "quiet"})");
        QVERIFY(!path.isEmpty());
        auto config = loadMachineConfig(path.toStdString());
        QVERIFY2(config, config ? "" : config.error().message().c_str());
        std::string directory = m_directory.filePath("machines").toStdString();
        QCOMPARE(config->kernelPath, directory + "/bzImage");
        QCOMPARE(*config->initrdPath, directory + "/../images/initrd.img");

        QString absolute = writeFile("absolute.json", R"({"kernel": "/srv/bzImage"})");
        auto absoluteConfig = loadMachineConfig(absolute.toStdString());
        QVERIFY2(absoluteConfig, absoluteConfig ? "" : absoluteConfig.error().message().c_str());
        QCOMPARE(absoluteConfig->kernelPath, std::string("/srv/bzImage"));
    }

    void configMistakesAreNamed_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QStringList>("keywords");
        QTest::newRow("unknown key")
            << R"({"kernal": "/boot/bzImage"})" << QStringList {"unknown key \"kernal\"", "kernel"};
        QTest::newRow("kernel not a string")
            << R"({"kernel": 5})" << QStringList {"\"kernel\" must be a string"};
        QTest::newRow("initramfs not a string")
            << R"({"initramfs": ["a"]})" << QStringList {"\"initramfs\" must be a string"};
        QTest::newRow("cmdline not a string")
            << R"({"cmdline": null})" << QStringList {"\"cmdline\" must be a string"};
        QTest::newRow("memory a boolean") << R"({"memory": true})" << QStringList {"\"memory\""};
        QTest::newRow("memory negative") << R"({"memory": -512})" << QStringList {"\"memory\""};
        QTest::newRow("memory bad unit")
            << R"({"memory": "12T"})" << QStringList {"unknown unit 'T'"};
        QTest::newRow("vcpus a string") << R"({"vcpus": "2"})" << QStringList {"\"vcpus\""};
        QTest::newRow("vcpus negative") << R"({"vcpus": -1})" << QStringList {"\"vcpus\""};
        QTest::newRow("vcpus fractional") << R"({"vcpus": 1.5})" << QStringList {"\"vcpus\""};
        QTest::newRow("command a string")
            << R"({"command": "ls -l"})" << QStringList {"\"command\" must be an array"};
        QTest::newRow("command with a number")
            << R"({"command": ["ls", 1]})"
            << QStringList {"\"command\" must be an array of strings"};
        QTest::newRow("bad JSON") << R"({"kernel": "/boot/bzImage",)"
                                  << QStringList {"not valid JSON"};
        QTest::newRow("empty file") << "" << QStringList {"not valid JSON"};
        QTest::newRow("not an object") << R"(["/boot/bzImage"])" << QStringList {"JSON object"};
    }
    void configMistakesAreNamed()
    {
        QFETCH(QString, json);
        QFETCH(QStringList, keywords);
        auto config = parseMachineConfig(json.toStdString(), "/etc/airlock");
        QVERIFY2(!config, "a bad config was accepted");
        QVERIFY2(containsAll(config.error().message(), keywords), config.error().message().c_str());
    }

    void configFileErrorsNameTheFile()
    {
        QString path = writeFile("broken.json", R"({"vcpus": "two"})");
        auto config = loadMachineConfig(path.toStdString());
        QVERIFY2(!config, "a bad config file was accepted");
        QVERIFY2(containsAll(config.error().message(), {path, "\"vcpus\""}),
            config.error().message().c_str());

        QString missing = m_directory.filePath("missing.json");
        auto none = loadMachineConfig(missing.toStdString());
        QVERIFY2(!none, "a missing config file was accepted");
        QVERIFY2(containsAll(none.error().message(), {"cannot read", missing}),
            none.error().message().c_str());
    }

    void optionsWithOnlyAKernelUseTheDefaults()
    {
        auto options = parse({"--kernel", "/boot/bzImage"});
        QVERIFY2(options, options ? "" : options.error().message().c_str());
        QVERIFY(options->action == Options::Action::Run);
        QCOMPARE(options->machine.kernelPath, std::string("/boot/bzImage"));
        QCOMPARE(options->machine.memoryBytes, 512 * MiB);
        QCOMPARE(options->machine.vcpuCount, 1u);
        QCOMPARE(options->machine.kvmDevicePath, std::string("/dev/kvm"));
        QVERIFY(!options->machine.initrdPath);
        QVERIFY(options->machine.command.empty());
    }

    void optionsSetEveryField()
    {
        auto options =
            parse({"--kernel", "k", "--initramfs", "i", "--cmdline", "loglevel=7 quiet", "--memory",
                "2G", "--cpus", "4", "--kvm", "/dev/kvm-test", "--", "sh", "-c", "echo hi"});
        QVERIFY2(options, options ? "" : options.error().message().c_str());
        QCOMPARE(options->machine.kernelPath, std::string("k"));
        QCOMPARE(*options->machine.initrdPath, std::string("i"));
        QCOMPARE(options->machine.commandLineAppend, std::string("loglevel=7 quiet"));
        QCOMPARE(options->machine.memoryBytes, 2 * GiB);
        QCOMPARE(options->machine.vcpuCount, 4u);
        QCOMPARE(options->machine.kvmDevicePath, std::string("/dev/kvm-test"));
        QVERIFY(options->machine.command == words({"sh", "-c", "echo hi"}));

        auto alias = parse({"--kernel", "k", "--initrd", "i2"});
        QVERIFY2(alias, alias ? "" : alias.error().message().c_str());
        QCOMPARE(*alias->machine.initrdPath, std::string("i2"));
    }

    void wordsAfterDoubleDashAreTheGuestCommand()
    {
        auto options = parse({"--kernel", "k", "--", "--cpus", "8", "--", "--help"});
        QVERIFY2(options, options ? "" : options.error().message().c_str());
        QVERIFY(options->action == Options::Action::Run);
        QCOMPARE(options->machine.vcpuCount, 1u);
        QVERIFY(options->machine.command == words({"--cpus", "8", "--", "--help"}));
    }

    void optionsOverrideTheConfigFileInAnyOrder_data()
    {
        QTest::addColumn<bool>("configFirst");
        QTest::newRow("--config first") << true;
        QTest::newRow("--config last") << false;
    }
    void optionsOverrideTheConfigFileInAnyOrder()
    {
        QFETCH(bool, configFirst);
        QString path = writeFile(
            "override.json", R"({"kernel": "/config/bzImage", "initramfs": "/config/initrd",
            "cmdline": "from-config", "memory": "4G", "vcpus": 8, "command": ["config-command"]})");
        QVERIFY(!path.isEmpty());
        QStringList flags {"--memory", "1G", "--cpus", "2", "--cmdline", "from-flag"};
        QStringList arguments = configFirst ? QStringList {"--config", path} + flags
                                            : flags + QStringList {"--config", path};
        auto options = parse(arguments + QStringList {"--", "flag-command"});
        QVERIFY2(options, options ? "" : options.error().message().c_str());
        QCOMPARE(options->machine.memoryBytes, GiB);
        QCOMPARE(options->machine.vcpuCount, 2u);
        QCOMPARE(options->machine.commandLineAppend, std::string("from-flag"));
        QVERIFY(options->machine.command == words({"flag-command"}));
        // What no flag overrides comes from the file.
        QCOMPARE(options->machine.kernelPath, std::string("/config/bzImage"));
        QCOMPARE(*options->machine.initrdPath, std::string("/config/initrd"));
    }

    void optionMistakesAreNamed_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QStringList>("keywords");
        QTest::newRow("unknown option") << QStringList {"--kernel", "k", "--frobnicate"}
                                        << QStringList {"--frobnicate", "unknown option"};
        QTest::newRow("stray word") << QStringList {"--kernel", "k", "bzImage"}
                                    << QStringList {"bzImage", "unknown option"};
        QTest::newRow("missing value")
            << QStringList {"--kernel"} << QStringList {"--kernel", "needs a value"};
        QTest::newRow("missing last value") << QStringList {"--kernel", "k", "--memory"}
                                            << QStringList {"--memory", "needs a value"};
        QTest::newRow("bad memory") << QStringList {"--kernel", "k", "--memory", "lots"}
                                    << QStringList {"'lots' is not a size"};
        QTest::newRow("bad cpu count") << QStringList {"--kernel", "k", "--cpus", "two"}
                                       << QStringList {"--cpus", "'two' is not a number"};
        QTest::newRow("cpu count with junk") << QStringList {"--kernel", "k", "--cpus", "2x"}
                                             << QStringList {"'2x' is not a number"};
        QTest::newRow("no kernel")
            << QStringList {"--memory", "1G"} << QStringList {"no kernel", "--kernel"};
        QTest::newRow("missing config") << QStringList {"--config", "/nonexistent/vm.json"}
                                        << QStringList {"/nonexistent/vm.json", "cannot read"};
        QTest::newRow("scratch without a session directory")
            << QStringList {"--kernel", "k", "--scratch", "1G"} << QStringList {"--scratch", "--session-dir"};
        QTest::newRow("dataset named ..") << QStringList {"--kernel", "k", "--dataset", "..=/nonexistent"}
                                          << QStringList {"dataset name", "'..'", "another name"};
        QTest::newRow("dataset name with a slash")
            << QStringList {"--kernel", "k", "--dataset", "a/b=/nonexistent"} << QStringList {"'a/b'", "'/'"};
        QTest::newRow("dataset without a path")
            << QStringList {"--kernel", "k", "--dataset", "name="} << QStringList {"--dataset", "no path"};
        QTest::newRow("too many spare slots")
            << QStringList {"--kernel", "k", "--spare-dataset-slots", "17"}
            << QStringList {"--spare-dataset-slots", "at most 16"};
        QTest::newRow("spare slots not a number")
            << QStringList {"--kernel", "k", "--spare-dataset-slots", "four"}
            << QStringList {"--spare-dataset-slots", "'four' is not a number"};
        QTest::newRow("bad control fd") << QStringList {"--kernel", "k", "--control-fd", "x"}
                                        << QStringList {"--control-fd", "'x' is not a number"};
        QTest::newRow("display without a place for its socket")
            << QStringList {"--kernel", "k", "--display"} << QStringList {"--display", "--session-dir"};
        QTest::newRow("display size not WxH")
            << QStringList {"--kernel", "k", "--session-dir", "/d", "--display", "big"}
            << QStringList {"--display", "'big'", "WIDTHxHEIGHT"};
        QTest::newRow("display too large")
            << QStringList {"--kernel", "k", "--session-dir", "/d", "--display", "100000x100000"}
            << QStringList {"--display", "100000x100000", "7680x4320"};
        QTest::newRow("display size overflowing 32 bits")
            << QStringList {"--kernel", "k", "--session-dir", "/d", "--display", "4294967297x2"}
            << QStringList {"--display", "WIDTHxHEIGHT"};
        QTest::newRow("display fps out of range")
            << QStringList {"--kernel", "k", "--session-dir", "/d", "--display", "--display-fps", "0"}
            << QStringList {"--display-fps", "between 1 and 60"};
        QTest::newRow("display tcp port out of range")
            << QStringList {"--kernel", "k", "--session-dir", "/d", "--display", "--display-tcp", "70000"}
            << QStringList {"--display-tcp", "0 to 65535"};
        QTest::newRow("command on a display that is not there")
            << QStringList {"--kernel", "k", "--command-on-display"}
            << QStringList {"--command-on-display", "need --display"};
    }

    // A screen: the default size, the socket in the session directory, the command on it.
    void displayOptions()
    {
        auto plain = parse({"--kernel", "k", "--session-dir", "/run/s1", "--display", "--", "sh"});
        QVERIFY2(plain, plain ? "" : plain.error().message().c_str());
        QVERIFY(plain->machine.display);
        QCOMPARE(plain->machine.display->geometry.width, 1280u);
        QCOMPARE(plain->machine.display->geometry.height, 800u);
        QCOMPARE(plain->machine.display->socketPath, std::string("/run/s1/display.sock"));
        QVERIFY(!plain->machine.display->tcpPort);
        QVERIFY(!plain->machine.display->commandOnDisplay);
        QCOMPARE(plain->machine.command, std::vector<std::string> {"sh"});

        auto full = parse({"--kernel", "k", "--display", "1920x1080", "--display-socket", "/tmp/v.sock",
            "--display-tcp", "0", "--display-fps", "60", "--command-on-display"});
        QVERIFY2(full, full ? "" : full.error().message().c_str());
        QCOMPARE(full->machine.display->geometry.width, 1920u);
        QCOMPARE(full->machine.display->geometry.stride, 1920u * 4);
        QCOMPARE(full->machine.display->socketPath, std::string("/tmp/v.sock"));
        QVERIFY(full->machine.display->tcpPort && *full->machine.display->tcpPort == 0);
        QCOMPARE(full->machine.display->maxFramesPerSecond, 60u);
        QVERIFY(full->machine.display->commandOnDisplay);

        QVERIFY(!parse({"--kernel", "k"})->machine.display);
    }
    void optionMistakesAreNamed()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QStringList, keywords);
        auto options = parse(arguments);
        QVERIFY2(!options, "bad options were accepted");
        QVERIFY2(
            containsAll(options.error().message(), keywords), options.error().message().c_str());
    }

    // Datasets: the name is the last part of the path unless given; a path with '=' in it that
    // exists stays a path.
    void datasetsScratchAndSessionOptions()
    {
        QString withEquals = m_directory.filePath("a=b");
        QVERIFY(QDir().mkpath(withEquals));
        auto options = parse({"--kernel", "k", "--dataset", "/srv/study/cohort 2024/", "--dataset",
            "Résultats=/srv/r", "--dataset", withEquals, "--scratch", "2G", "--session-dir", "/run/s1",
            "--control-fd", "5", "--shred-report", "/tmp/r.json"});
        QVERIFY2(options, options ? "" : options.error().message().c_str());
        const auto& datasets = options->machine.datasets;
        QCOMPARE(datasets.size(), size_t {3});
        QCOMPARE(datasets[0].name, std::string("cohort 2024"));
        QCOMPARE(datasets[0].hostPath, std::string("/srv/study/cohort 2024/"));
        QCOMPARE(datasets[1].name, std::string("Résultats"));
        QCOMPARE(datasets[1].hostPath, std::string("/srv/r"));
        QCOMPARE(datasets[2].name, std::string("a=b"));
        QCOMPARE(datasets[2].hostPath, withEquals.toStdString());
        QCOMPARE(options->machine.scratchBytes, 2 * GiB);
        QCOMPARE(options->machine.sessionDirectory, std::string("/run/s1"));
        QCOMPARE(options->controlFd, 5);
        QCOMPARE(options->shredReportPath, std::string("/tmp/r.json"));
        QCOMPARE(options->machine.spareDatasetSlots, 4u); // the default: datasets can be added
        auto none = parse({"--kernel", "k", "--spare-dataset-slots", "0"});
        QVERIFY2(none, none ? "" : none.error().message().c_str());
        QCOMPARE(none->machine.spareDatasetSlots, 0u);
    }

    // RFC 4648 §10 test vectors, in the URL-safe alphabet without padding (the guest decodes it).
    void datasetNamesTravelAsBase64Url_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("encoded");
        QTest::newRow("empty") << QByteArray() << "";
        QTest::newRow("f") << QByteArray("f") << "Zg";
        QTest::newRow("fo") << QByteArray("fo") << "Zm8";
        QTest::newRow("foo") << QByteArray("foo") << "Zm9v";
        QTest::newRow("foob") << QByteArray("foob") << "Zm9vYg";
        QTest::newRow("fooba") << QByteArray("fooba") << "Zm9vYmE";
        QTest::newRow("foobar") << QByteArray("foobar") << "Zm9vYmFy";
        QTest::newRow("url alphabet") << QByteArray("\xfb\xff\xbf") << "-_-_";
        QTest::newRow("space and UTF-8") << QByteArray("Résultats 2") << "UsOpc3VsdGF0cyAy";
    }
    void datasetNamesTravelAsBase64Url()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, encoded);
        QCOMPARE(QString::fromStdString(base64UrlEncode(bytes.toStdString())), encoded);
        QCOMPARE(QString::fromStdString(datasetKernelParameter(3, bytes.toStdString())),
            "airlock.ds3=" + encoded);
    }

    void helpAndVersionNeedNothingElse_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<bool>("help");
        QTest::newRow("--help") << QStringList {"--help"} << true;
        QTest::newRow("-h") << QStringList {"-h"} << true;
        QTest::newRow("--help after options") << QStringList {"--memory", "1G", "--help"} << true;
        QTest::newRow("--version") << QStringList {"--version"} << false;
    }
    void helpAndVersionNeedNothingElse()
    {
        QFETCH(QStringList, arguments);
        QFETCH(bool, help);
        auto options = parse(arguments);
        QVERIFY2(options, options ? "" : options.error().message().c_str());
        QVERIFY(options->action == (help ? Options::Action::Help : Options::Action::Version));
    }

    void helpTextListsEveryOption()
    {
        std::string usage = usageText();
        for (const char* option : {"--config", "--kernel", "--initramfs", "--cmdline", "--memory",
                 "--cpus", "--kvm", "--dataset", "--scratch", "--session-dir", "--control-fd",
                 "--shred-report", "--spare-dataset-slots", "AIRLOCK_DATASET_GRANT_KEY", "--help",
                 "--version", "-- COMMAND"})
            QVERIFY2(usage.find(option) != std::string::npos, option);
    }
};

QTEST_APPLESS_MAIN(MachineConfigTest)
#include "tst_machine_config.moc"
