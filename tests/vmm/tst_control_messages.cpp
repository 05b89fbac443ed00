// The control channel's typed messages: every field of every message is validated (a hostile app
// or a broken VMM cannot get an unchecked value through), and what toFrame() writes reads back.

#include "control/ControlCommands.h"
#include "control/ControlEvents.h"
#include "control/StreamMessages.h"

#include <QTest>

using nlohmann::json;

namespace {

// Runs `T::fromJson` and returns its error message, or "" when it accepted the JSON.
template<typename T> std::string refusal(const json& value)
{
    auto parsed = T::fromJson(value);
    return parsed ? std::string() : parsed.error().message();
}

json withField(json base, const std::string& key, json value)
{
    if (value.is_discarded())
        base.erase(key);
    else
        base[key] = std::move(value);
    return base;
}

const json kMissing = json::value_t::discarded;

// Through text, as the wire carries it (a parsed non-negative integer is unsigned).
json wire(const json& value)
{
    return json::parse(value.dump());
}

json validStatus()
{
    return wire({{"state", "running"}, {"uptimeMs", 5}, {"vcpus", 2}, {"memoryBytes", 1 << 20},
        {"datasets",
            json::array({{{"name", "d"}, {"hostPath", "/data"}, {"fileCount", 1}, {"totalBytes", 2},
                {"imageBytes", 4096}}})},
        {"scratchBytes", 0}, {"vsockPath", "/run/x/vsock.sock"}});
}

json validMetrics()
{
    return wire({{"uptimeMs", 1}, {"vcpus", json::array({{{"index", 0}, {"cpuTimeNs", 10}}})},
        {"processCpuTimeNs", 20}, {"rssBytes", 3}, {"guestResidentBytes", 1},
        {"rssExcludingGuestBytes", 2},
        {"disks",
            json::array({{{"label", "scratch"}, {"bytesRead", 1}, {"readOperations", 1},
                {"bytesWritten", 0}, {"writeOperations", 0}, {"flushes", 0}, {"errors", 0}}})},
        {"consoleDroppedBytes", 0}});
}

} // namespace

class ControlMessagesTest : public QObject {
    Q_OBJECT

private slots:
    void commandsRefuseMalformedFields_data()
    {
        QTest::addColumn<QString>("message");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("expected");
        auto row = [](const char* name, const char* message, const json& input,
                       const char* expected) {
            QTest::newRow(name) << message << QByteArray::fromStdString(input.dump()) << expected;
        };
        row("not an object", "command", json::array(), "not a JSON object");
        row("id missing", "command", json::object(), "id: missing");
        row("id a string", "command", {{"id", "1"}}, "id: not a non-negative integer");
        row("id negative", "command", {{"id", -1}}, "id: not a non-negative integer");
        row("id a fraction", "command", {{"id", 1.5}}, "id: not a non-negative integer");
        row("id beyond 2^53", "command", {{"id", uint64_t {1} << 53}}, "id: out of range");
        row("force not bool", "stop", {{"id", 1}, {"force", 1}}, "force: not true or false");
        row("interval missing", "subscribe", {{"id", 1}}, "intervalMs: missing");
        row("interval too short", "subscribe", {{"id", 1}, {"intervalMs", 100}},
            "0 or at least 250");
        row("interval too long", "subscribe", {{"id", 1}, {"intervalMs", 86'400'001}},
            "out of range");
        row("stream 0", "stream-open", {{"stream", 0}, {"port", 1024}}, "stream: out of range");
        row("stream beyond u32", "stream-open", {{"stream", 1ull << 32}, {"port", 1024}},
            "stream: out of range");
        row("port 0", "stream-open", {{"stream", 1}, {"port", 0}}, "port: out of range");
        row("port any", "stream-open", {{"stream", 1}, {"port", 0xffffffffu}},
            "port: out of range");
        row("port missing", "stream-open", {{"stream", 1}}, "port: missing");
        row("unknown target", "stream-open", {{"stream", 1}, {"target", "host-shell"}}, "unknown target");
        row("target not a string", "stream-open", {{"stream", 1}, {"target", 7}}, "target");
        row("reference stream text", "stream", {{"stream", "1"}},
            "stream: not a non-negative integer");
        row("ack zero", "stream-ack", {{"stream", 1}, {"bytes", 0}}, "bytes: out of range");
        row("ack beyond window", "stream-ack", {{"stream", 1}, {"bytes", 256 * 1024 + 1}},
            "bytes: out of range");
        json add {
            {"id", 1}, {"name", "notes"}, {"path", "/srv/notes"}, {"grant", std::string(64, 'a')}};
        row("add name missing", "add-dataset", withField(add, "name", kMissing), "name: missing");
        row("add name empty", "add-dataset", withField(add, "name", ""), "name");
        row("add name slash", "add-dataset", withField(add, "name", "a/b"), "name");
        row("add name dot", "add-dataset", withField(add, "name", "."), "name");
        row("add name tab", "add-dataset", withField(add, "name", "a\tb"), "name");
        row("add name 256 bytes", "add-dataset", withField(add, "name", std::string(256, 'n')),
            "name");
        row("add path relative", "add-dataset", withField(add, "path", "srv"), "path");
        row("add path empty", "add-dataset", withField(add, "path", ""), "path");
        row("add path NUL", "add-dataset", withField(add, "path", std::string("/a\0b", 4)), "path");
        row("add grant 63 digits", "add-dataset", withField(add, "grant", std::string(63, 'a')),
            "grant");
        row("add grant 65 digits", "add-dataset", withField(add, "grant", std::string(65, 'a')),
            "grant");
        row("add grant not hex", "add-dataset", withField(add, "grant", std::string(64, 'z')),
            "grant");
        row("add grant a number", "add-dataset", withField(add, "grant", 5), "grant");
        row("closed error with NUL", "stream-closed",
            {{"stream", 1}, {"error", std::string("a\0b", 3)}}, "NUL");
        row("closed error too long", "stream-closed",
            {{"stream", 1}, {"error", std::string(4097, 'x')}}, "longer than");
    }
    void commandsRefuseMalformedFields()
    {
        QFETCH(QString, message);
        QFETCH(QByteArray, input);
        QFETCH(QString, expected);
        json value = json::parse(input.toStdString());
        std::string error;
        if (message == "command")
            error = refusal<vmm::CommandHeader>(value);
        else if (message == "stop")
            error = refusal<vmm::StopCommand>(value);
        else if (message == "subscribe")
            error = refusal<vmm::SubscribeMetricsCommand>(value);
        else if (message == "stream-open")
            error = refusal<vmm::StreamOpen>(value);
        else if (message == "stream")
            error = refusal<vmm::StreamReference>(value);
        else if (message == "stream-ack")
            error = refusal<vmm::StreamAck>(value);
        else if (message == "stream-closed")
            error = refusal<vmm::StreamClosed>(value);
        else if (message == "add-dataset")
            error = refusal<vmm::AddDatasetCommand>(value);
        QVERIFY2(!error.empty(), "accepted");
        QVERIFY2(error.find(expected.toStdString()) != std::string::npos, error.c_str());
    }

    void repliesAndEventsRefuseMalformedFields_data()
    {
        QTest::addColumn<QString>("message");
        QTest::addColumn<QByteArray>("input");
        auto row = [](const char* name, const char* message, const json& input) {
            QTest::newRow(name) << message << QByteArray::fromStdString(input.dump());
        };
        json reply {{"id", 1}, {"ok", true}};
        row("reply without ok", "reply", withField(reply, "ok", kMissing));
        row("failed reply without error", "reply", withField(reply, "ok", false));
        row("reply status not an object", "reply", withField(reply, "status", 3));
        row("status vcpus 0", "reply",
            withField(reply, "status", withField(validStatus(), "vcpus", 0)));
        row("status unknown state", "reply",
            withField(reply, "status", withField(validStatus(), "state", "dancing")));
        row("status datasets not an array", "reply",
            withField(reply, "status", withField(validStatus(), "datasets", json::object())));
        row("status dataset not an object", "reply",
            withField(reply, "status", withField(validStatus(), "datasets", json::array({1}))));
        row("status dataset without name", "reply",
            withField(reply, "status",
                withField(validStatus(), "datasets", json::array({json::object()}))));
        row("status too many datasets", "reply",
            withField(reply, "status",
                withField(
                    validStatus(), "datasets", json::array_t(1001, validStatus()["datasets"][0]))));
        row("metrics disks not an array", "reply",
            withField(reply, "metrics", withField(validMetrics(), "disks", "x")));
        row("metrics vcpu index beyond", "reply",
            withField(reply, "metrics",
                withField(
                    validMetrics(), "vcpus", json::array({{{"index", 256}, {"cpuTimeNs", 1}}}))));
        row("metrics negative rss", "reply",
            withField(reply, "metrics", withField(validMetrics(), "rssBytes", -1)));
        row("metrics vsock not an object", "reply",
            withField(reply, "metrics", withField(validMetrics(), "vsock", 1)));
        row("state unknown", "state", {{"state", "exploded"}});
        row("dropped zero", "dropped", {{"bytes", 0}, {"totalBytes", 0}});
        row("dropped total below", "dropped", {{"bytes", 5}, {"totalBytes", 4}});
        row("exit unknown kind", "exit",
            {{"kind", "meltdown"}, {"exitCode", 0}, {"description", ""}});
        row("exit code 256", "exit", {{"kind", "panic"}, {"exitCode", 256}, {"description", ""}});
        row("shred report not an object", "shred", {{"report", "text"}});
        row("shred report missing", "shred", json::object());
        row("manifest digest uppercase", "manifest",
            {{"name", "d"}, {"digest", std::string(64, 'A')}, {"fileCount", 1}, {"totalBytes", 1}});
        row("manifest digest short", "manifest",
            {{"name", "d"}, {"digest", "abc"}, {"fileCount", 1}, {"totalBytes", 1}});
        row("manifest name empty", "manifest",
            {{"name", ""}, {"digest", std::string(64, 'a')}, {"fileCount", 1}, {"totalBytes", 1}});
        json added {{"name", "d"}, {"fileCount", 1}, {"folderCount", 0}, {"totalBytes", 5},
            {"imageBytes", 4096}, {"mountMs", 12}};
        row("reply dataset not an object", "reply", withField(reply, "dataset", "d"));
        row("reply dataset without mountMs", "reply",
            withField(reply, "dataset", withField(added, "mountMs", kMissing)));
        row("reply dataset negative files", "reply",
            withField(reply, "dataset", withField(added, "fileCount", -1)));
        row("reply dataset name empty", "reply",
            withField(reply, "dataset", withField(added, "name", "")));
        row("verify changed not an array", "verify",
            {{"name", "d"}, {"changed", "a"}, {"vanished", json::array()},
                {"added", json::array()}});
        row("verify path not a string", "verify",
            {{"name", "d"}, {"changed", json::array({1})}, {"vanished", json::array()},
                {"added", json::array()}});
    }
    void repliesAndEventsRefuseMalformedFields()
    {
        QFETCH(QString, message);
        QFETCH(QByteArray, input);
        json value = json::parse(input.toStdString());
        std::string error;
        if (message == "reply")
            error = refusal<vmm::ControlReply>(value);
        else if (message == "state")
            error = refusal<vmm::StateEvent>(value);
        else if (message == "dropped")
            error = refusal<vmm::ConsoleDroppedEvent>(value);
        else if (message == "exit")
            error = refusal<vmm::GuestExitEvent>(value);
        else if (message == "shred")
            error = refusal<vmm::ShredReportEvent>(value);
        else if (message == "manifest")
            error = refusal<vmm::DatasetManifestEvent>(value);
        else if (message == "verify")
            error = refusal<vmm::DatasetVerifyEvent>(value);
        QVERIFY2(!error.empty(), "accepted");
    }

    void messagesReadBackWhatTheyWrite()
    {
        vmm::ControlReply reply;
        reply.id = 77;
        auto status = vmm::ControlStatus::fromJson(validStatus());
        QVERIFY2(status, status ? "" : status.error().message().c_str());
        auto metrics = vmm::HostMetrics::fromJson(validMetrics());
        QVERIFY2(metrics, metrics ? "" : metrics.error().message().c_str());
        reply.status = *status;
        reply.metrics = *metrics;
        reply.metrics->vsock = vmm::VsockMetrics {1, 2, 3, 4, 5, 6};
        auto back = vmm::ControlReply::fromJson(wire(reply.toFrame().header));
        QVERIFY2(back, back ? "" : back.error().message().c_str());
        QCOMPARE(back->id, 77u);
        QCOMPARE(back->status->datasets.at(0).hostPath, std::string("/data"));
        QCOMPARE(back->status->vsockPath, std::string("/run/x/vsock.sock"));
        QCOMPARE(back->metrics->disks.at(0).label, std::string("scratch"));
        QCOMPARE(back->metrics->vsock->bytesToGuest, 4u);

        vmm::AddDatasetCommand add {9, "notes 2024 é", "/srv/My Notes", std::string(64, 'C')};
        vmm::Frame addFrame = add.toFrame();
        QCOMPARE(addFrame.kind, uint16_t {0x0208});
        QCOMPARE(vmm::controlKindName(addFrame.kind), std::string_view("add-dataset"));
        auto addBack = vmm::AddDatasetCommand::fromJson(wire(addFrame.header));
        QVERIFY2(addBack, addBack ? "" : addBack.error().message().c_str());
        QCOMPARE(addBack->name, add.name);
        QCOMPARE(addBack->path, add.path);
        QCOMPARE(addBack->grant, add.grant);
        // Held in memory, never dumped: JSON text cannot carry bytes that are not UTF-8.
        json badName = addFrame.header;
        badName["name"] = "\xff\xfe";
        QVERIFY(!vmm::AddDatasetCommand::fromJson(badName));

        vmm::ControlReply addedReply;
        addedReply.id = 9;
        addedReply.dataset = vmm::DatasetAdded {"notes 2024 é", 3, 2, 1000, 8192, 240};
        auto addedBack = vmm::ControlReply::fromJson(wire(addedReply.toFrame().header));
        QVERIFY2(addedBack && addedBack->dataset, "the reply lost its dataset");
        QCOMPARE(addedBack->dataset->name, std::string("notes 2024 é"));
        QCOMPARE(addedBack->dataset->folderCount, uint64_t {2});
        QCOMPARE(addedBack->dataset->imageBytes, uint64_t {8192});
        QCOMPARE(addedBack->dataset->mountMs, uint64_t {240});

        auto failed =
            vmm::ControlReply::fromJson(wire(vmm::ControlReply::failed(3, "no").toFrame().header));
        QVERIFY(failed && !failed->ok && failed->error == "no");

        vmm::GuestExitEvent exit {"guest-exit", 42, "guest command exited with status 42"};
        auto exitBack = vmm::GuestExitEvent::fromJson(wire(exit.toFrame().header));
        QVERIFY(exitBack && exitBack->exitCode == 42 && exitBack->kind == "guest-exit");

        vmm::DatasetVerifyEvent verify {"d", {"a"}, {"b c"}, {}};
        auto verifyBack = vmm::DatasetVerifyEvent::fromJson(wire(verify.toFrame().header));
        QVERIFY(verifyBack && verifyBack->vanished.at(0) == "b c");

        auto open = vmm::StreamOpen::fromJson(wire(vmm::StreamOpen {9, 1024}.toFrame().header));
        QVERIFY(open && open->stream == 9 && open->port == 1024);
        vmm::StreamOpen display;
        display.stream = 4;
        display.target = vmm::StreamOpen::Target::Display;
        auto displayBack = vmm::StreamOpen::fromJson(wire(display.toFrame().header));
        QVERIFY(displayBack && displayBack->stream == 4 &&
            displayBack->target == vmm::StreamOpen::Target::Display);
        QCOMPARE(
            vmm::StreamReference {5}.toFrame(vmm::ControlKind::StreamData, {1, 2}).payload.size(),
            size_t(2));
        auto subscribe =
            vmm::SubscribeMetricsCommand::fromJson(wire({{"id", 1}, {"intervalMs", 0}}));
        QVERIFY2(subscribe && subscribe->intervalMs == 0, "0 must end a subscription");
    }
};

QTEST_APPLESS_MAIN(ControlMessagesTest)

#include "tst_control_messages.moc"
