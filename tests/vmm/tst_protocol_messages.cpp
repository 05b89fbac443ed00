// The agent protocol's messages (vmm/protocol): every field of what a peer sends is checked
// (type, range, length, path shape), the Hello refuses another major version with a message that
// says both, the dataset mount messages refuse names the guest could not use, and the guest's
// SHA-256 agrees with OpenSSL's.

#include "protocol/AgentProtocol.h"
#include "protocol/DatasetMessages.h"
#include "protocol/ErrorMessage.h"
#include "protocol/ExecMessages.h"
#include "protocol/GuestMetrics.h"
#include "protocol/Hello.h"
#include "protocol/OutboxMessages.h"
#include "protocol/Sha256.h"
#include "protocol/Utf8.h"

#include <openssl/evp.h>
#include <random>

#include <QTest>

using namespace vmm;
using json = nlohmann::json;

namespace {

json validExec()
{
    return {{"argv", {"sh", "-c", "echo hi"}}, {"env", {{"LANG", "C.UTF-8"}}}, {"cwd", "/work"},
        {"stdin", true}};
}

json validMetrics()
{
    return GuestMetrics {1000, 400, 600, 12.5, 0.5, 0.25, 0.1, 10, 100, 3.5}.toFrame().header;
}

std::string errorOf(const auto& result)
{
    return result ? std::string("accepted") : result.error().message();
}

std::string opensslSha256(const std::vector<uint8_t>& bytes)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
    Sha256::Digest array {};
    std::copy_n(digest, 32, array.begin());
    return Sha256::toHex(array);
}

} // namespace

class ProtocolMessagesTest : public QObject {
    Q_OBJECT

private slots:
    void helloRoundTrips()
    {
        Hello hello {std::string(kAgentProtocolName), kAgentProtocolVersion, "airlock-guest"};
        auto parsed = Hello::fromJson(hello.toFrame().header);
        QVERIFY(parsed);
        QCOMPARE(parsed->protocol, hello.protocol);
        QCOMPARE(parsed->version.major, 1u);
        QVERIFY(Hello::checkCompatible(*parsed, kAgentProtocolName, kAgentProtocolVersion));
    }

    void anotherMajorVersionIsRefusedClearly()
    {
        Hello newer {std::string(kAgentProtocolName), {2, 3}, "airlock-guest 9"};
        auto checked = Hello::checkCompatible(newer, kAgentProtocolName, kAgentProtocolVersion);
        QVERIFY(!checked);
        QVERIFY2(checked.error().message().find("unsupported airlock-agent protocol version 2.3 "
                                                "(this side speaks 1.x)") != std::string::npos,
            checked.error().message().c_str());
        // A newer minor version is fine.
        Hello minor {std::string(kAgentProtocolName), {1, 7}, ""};
        QVERIFY(Hello::checkCompatible(minor, kAgentProtocolName, kAgentProtocolVersion));
        // So is nothing else: the control channel's Hello on the agent's port.
        Hello control {"airlock-control", {1, 0}, ""};
        auto wrong = Hello::checkCompatible(control, kAgentProtocolName, kAgentProtocolVersion);
        QVERIFY(!wrong);
        QVERIFY(wrong.error().message().find("airlock-control") != std::string::npos);
    }

    void helloFieldsAreTyped()
    {
        QVERIFY(
            !Hello::fromJson(json {{"protocol", "airlock-agent"}, {"major", "1"}, {"minor", 0}}));
        QVERIFY(
            !Hello::fromJson(json {{"protocol", "airlock-agent"}, {"major", -1}, {"minor", 0}}));
        QVERIFY(
            !Hello::fromJson(json {{"protocol", "airlock-agent"}, {"major", 1.5}, {"minor", 0}}));
        QVERIFY(!Hello::fromJson(json {{"protocol", 7}, {"major", 1}, {"minor", 0}}));
        QVERIFY(!Hello::fromJson(json {{"major", 1}, {"minor", 0}}));
        QVERIFY(!Hello::fromJson(
            json {{"protocol", "a"}, {"major", 4294967296u}, {"minor", 0}, {"software", ""}}));
        QVERIFY(!Hello::fromJson(json::array()));
    }

    void execRequestRoundTrips()
    {
        auto request = ExecRequest::fromJson(validExec());
        QVERIFY2(request, errorOf(request).c_str());
        QCOMPARE(request->argv.size(), size_t {3});
        QCOMPARE(request->environment.at("LANG"), std::string("C.UTF-8"));
        QCOMPARE(request->workingDirectory, std::string("/work"));
        QVERIFY(request->hasStdin);
        auto again = ExecRequest::fromJson(request->toJson());
        QVERIFY(again);
        QVERIFY(again->argv == request->argv);
    }

    void malformedExecRequestsAreRefused_data()
    {
        QTest::addColumn<QByteArray>("patch"); // JSON merged into a valid request
        QTest::addColumn<QString>("field");
        QTest::newRow("argv missing") << QByteArray(R"({"argv":null})") << "argv";
        QTest::newRow("argv string") << QByteArray(R"({"argv":"sh"})") << "argv";
        QTest::newRow("argv empty") << QByteArray(R"({"argv":[]})") << "argv";
        QTest::newRow("argv number item") << QByteArray(R"({"argv":["sh",1]})") << "argv";
        QTest::newRow("argv empty program") << QByteArray(R"({"argv":[""]})") << "argv";
        QTest::newRow("argv NUL") << QByteArray(R"({"argv":["sh","a\u0000b"]})") << "argv";
        QTest::newRow("env array") << QByteArray(R"({"env":["A=B"]})") << "env";
        QTest::newRow("env number") << QByteArray(R"({"env":{"A":1}})") << "env";
        QTest::newRow("env name =") << QByteArray(R"({"env":{"A=B":"c"}})") << "env";
        QTest::newRow("env empty name") << QByteArray(R"({"env":{"":"c"}})") << "env";
        QTest::newRow("cwd relative") << QByteArray(R"({"cwd":"work"})") << "cwd";
        QTest::newRow("cwd number") << QByteArray(R"({"cwd":5})") << "cwd";
        QTest::newRow("stdin string") << QByteArray(R"({"stdin":"yes"})") << "stdin";
    }

    void malformedExecRequestsAreRefused()
    {
        QFETCH(QByteArray, patch);
        QFETCH(QString, field);
        json request = validExec();
        request.merge_patch(json::parse(patch.toStdString()));
        if (patch.contains("null"))
            request["argv"] = nullptr;
        auto parsed = ExecRequest::fromJson(request);
        QVERIFY2(!parsed, patch.constData());
        QVERIFY2(parsed.error().message().find("field " + field.toStdString()) != std::string::npos,
            parsed.error().message().c_str());
    }

    void mountDatasetMessagesRoundTrip()
    {
        MountDatasetRequest request {7, "clinic notes 2024 é"};
        Frame frame = request.toFrame();
        QCOMPARE(frame.kind, toWire(MessageKind::MountDatasetRequest));
        QCOMPARE(frame.kind, uint16_t {0x0140});
        auto back = MountDatasetRequest::fromJson(frame.header);
        QVERIFY2(back, errorOf(back).c_str());
        QCOMPARE(back->index, uint64_t {7});
        QCOMPARE(back->name, request.name);
        QCOMPARE(messageKindName(0x0141), std::string_view("MountDatasetDone"));
        auto done = MountDatasetDone::fromJson(MountDatasetDone {"/datasets/a b"}.toFrame().header);
        QVERIFY2(done, errorOf(done).c_str());
        QCOMPARE(done->path, std::string("/datasets/a b"));
    }

    void malformedMountDatasetMessagesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("message");
        auto row = [](const char* name, const json& input, const char* message) {
            QTest::newRow(name) << QByteArray::fromStdString(input.dump()) << QString(message);
        };
        row("index missing", {{"name", "a"}}, "request");
        row("index negative", {{"index", -1}, {"name", "a"}}, "request");
        row("index beyond", {{"index", 1000}, {"name", "a"}}, "request");
        row("index text", {{"index", "1"}, {"name", "a"}}, "request");
        row("name missing", {{"index", 1}}, "request");
        row("name empty", {{"index", 1}, {"name", ""}}, "request");
        row("name slash", {{"index", 1}, {"name", "../etc"}}, "request");
        row("name dot dot", {{"index", 1}, {"name", ".."}}, "request");
        row("name newline", {{"index", 1}, {"name", "a\nb"}}, "request");
        row("name NUL", {{"index", 1}, {"name", std::string("a\0b", 3)}}, "request");
        row("name too long", {{"index", 1}, {"name", std::string(256, 'x')}}, "request");
        row("done elsewhere", {{"path", "/etc"}}, "done");
        row("done path missing", json::object(), "done");
    }

    void malformedMountDatasetMessagesAreRefused()
    {
        QFETCH(QByteArray, input);
        QFETCH(QString, message);
        json value = json::parse(input.toStdString());
        bool accepted = message == "request" ? bool(MountDatasetRequest::fromJson(value))
                                             : bool(MountDatasetDone::fromJson(value));
        QVERIFY2(!accepted, input.constData());
    }

    void execRequestCapsHold()
    {
        json request = validExec();
        request["argv"] = json::array();
        for (int i = 0; i < 257; ++i)
            request["argv"].push_back("x");
        QVERIFY(!ExecRequest::fromJson(request));
        request["argv"] = {std::string(32 * 1024 + 1, 'a')};
        QVERIFY(!ExecRequest::fromJson(request));
    }

    void exitStatusesAreConsistent()
    {
        ExecExited code = ExecExited::fromWaitStatus(7 << 8);
        QCOMPARE(code.status, uint8_t {7});
        QCOMPARE(code.exitCode.value_or(-1), 7);
        ExecExited killed = ExecExited::fromWaitStatus(9);
        QCOMPARE(killed.status, uint8_t {137});
        QCOMPARE(killed.signal.value_or(-1), 9);
        auto parsed = ExecExited::fromJson(killed.toFrame().header);
        QVERIFY(parsed);
        QCOMPARE(parsed->signal.value_or(-1), 9);
        QVERIFY(!ExecExited::fromJson(json {{"status", 0}})); // neither
        QVERIFY(!ExecExited::fromJson(json {{"status", 0}, {"exitCode", 0}, {"signal", 9}}));
        QVERIFY(!ExecExited::fromJson(json {{"status", 256}, {"exitCode", 0}}));
        QVERIFY(!ExecExited::fromJson(json {{"status", 0}, {"exitCode", -1}}));
        QVERIFY(!ExecSignal::fromJson(json {{"signal", 0}}));
        QVERIFY(!ExecSignal::fromJson(json {{"signal", 65}}));
        QVERIFY(ExecSignal::fromJson(json {{"signal", 2}}));
    }

    void outboxPathsStayInside_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("valid");
        QTest::newRow("plain") << "report.csv" << true;
        QTest::newRow("nested") << "a/b/c.txt" << true;
        QTest::newRow("space utf-8") << "résultats finaux/tableau 1.csv" << true;
        QTest::newRow("dots in name") << "a..b/.hidden" << true;
        QTest::newRow("empty") << "" << false;
        QTest::newRow("absolute") << "/etc/passwd" << false;
        QTest::newRow("parent") << "../x" << false;
        QTest::newRow("parent inside") << "a/../../x" << false;
        QTest::newRow("dot") << "./x" << false;
        QTest::newRow("trailing slash") << "a/" << false;
        QTest::newRow("double slash") << "a//b" << false;
        QTest::newRow("just dotdot") << ".." << false;
    }

    void outboxPathsStayInside()
    {
        QFETCH(QString, path);
        QFETCH(bool, valid);
        QCOMPARE(bool(OutboxPath::validate(path.toStdString())), valid);
        QCOMPARE(bool(OutboxFetchRequest::fromJson(json {{"path", path.toStdString()}})), valid);
    }

    void outboxPathsRefuseNulAndBadUtf8()
    {
        QVERIFY(!OutboxPath::validate(std::string("a\0b", 3)));
        QVERIFY(!OutboxPath::validate("caf\xe9.txt")); // Latin-1, not UTF-8
        QVERIFY(!OutboxPath::validate(std::string(4097, 'a')));
    }

    void outboxEntriesAreChecked()
    {
        OutboxEntry entry {"a/b.txt", 5, std::string(64, 'a'), 1700000000123456789};
        auto parsed = OutboxEntry::fromJson(entry.toFrame().header);
        QVERIFY2(parsed, errorOf(parsed).c_str());
        QCOMPARE(parsed->mtimeNs, entry.mtimeNs);
        json bad = entry.toFrame().header;
        bad["sha256"] = std::string(64, 'A'); // upper case is not what the guest sends
        QVERIFY(!OutboxEntry::fromJson(bad));
        bad["sha256"] = std::string(63, 'a');
        QVERIFY(!OutboxEntry::fromJson(bad));
        bad = entry.toFrame().header;
        bad["size"] = -1;
        QVERIFY(!OutboxEntry::fromJson(bad));
        bad = entry.toFrame().header;
        bad["path"] = "../../etc/shadow";
        QVERIFY(!OutboxEntry::fromJson(bad));
        QVERIFY(!OutboxFileEnd::fromJson(json {{"size", 1}, {"sha256", "zz"}}));
    }

    void metricsAreRangeChecked()
    {
        auto parsed = GuestMetrics::fromJson(validMetrics());
        QVERIFY2(parsed, errorOf(parsed).c_str());
        QCOMPARE(parsed->cpuBusyPercent, 12.5);
        QCOMPARE(parsed->workTotalBytes, uint64_t {100});
        for (auto [field, value] : {std::pair {"cpuBusyPercent", json(101)},
                 std::pair {"cpuBusyPercent", json(-1)}, std::pair {"load1", json("high")},
                 std::pair {"memoryAvailableBytes", json(1001)}, // more than total
                 std::pair {"workUsedBytes", json(101)}, std::pair {"uptimeSeconds", json(-3)},
                 std::pair {"memoryTotalBytes", json(nullptr)}}) {
            json bad = validMetrics();
            bad[field] = value;
            QVERIFY2(!GuestMetrics::fromJson(bad), field);
        }
    }

    void errorsCarryCodeAndMessage()
    {
        ErrorMessage error = ErrorMessage::fromError(
            ErrorMessage::kNotFound, Error::fromErrno("open", ENOENT, "report.csv"));
        auto parsed = ErrorMessage::fromJson(error.toFrame().header);
        QVERIFY(parsed);
        QCOMPARE(parsed->code, std::string("notFound"));
        std::string text = parsed->toError("fetch").message();
        QVERIFY2(text.find("report.csv") != std::string::npos, text.c_str());
        // A message that is not UTF-8 is mended, so that it can still be sent.
        ErrorMessage mended =
            ErrorMessage::fromError(ErrorMessage::kIo, Error::invalid("open", "caf\xe9"));
        QVERIFY(Utf8::isValid(mended.message));
    }

    void utf8ValidationFollowsRfc3629()
    {
        QVERIFY(Utf8::isValid("plain ascii"));
        QVERIFY(Utf8::isValid("Zürich – 東京 – 🙂"));
        QVERIFY(!Utf8::isValid("\xc0\xaf")); // overlong '/'
        QVERIFY(!Utf8::isValid("\xed\xa0\x80")); // surrogate
        QVERIFY(!Utf8::isValid("\xf4\x90\x80\x80")); // past U+10FFFF
        QVERIFY(!Utf8::isValid("\xe2\x82")); // truncated
        QCOMPARE(Utf8::sanitized("a\xffz"), std::string("a?z"));
        QCOMPARE(Utf8::sanitized("ab東", 4), std::string("ab")); // not cut inside a character
    }

    void sha256MatchesKnownVectorsAndOpenSsl()
    {
        QCOMPARE(Sha256::hexDigest({}),
            std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        std::string abc = "abc";
        QCOMPARE(Sha256::hexDigest(std::span(reinterpret_cast<const uint8_t*>(abc.data()), 3)),
            std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        std::mt19937 random(99);
        for (size_t size :
            std::initializer_list<size_t> {55, 56, 63, 64, 65, 119, 120, 1000, 100000}) {
            std::vector<uint8_t> bytes(size);
            for (auto& byte : bytes)
                byte = static_cast<uint8_t>(random());
            // Fed in uneven pieces, as file chunks arrive.
            Sha256 hash;
            for (size_t at = 0; at < size; at += 37)
                hash.update(std::span(bytes).subspan(at, std::min<size_t>(37, size - at)));
            QCOMPARE(hash.finishHex(), opensslSha256(bytes));
        }
    }
};

QTEST_GUILESS_MAIN(ProtocolMessagesTest)
#include "tst_protocol_messages.moc"
