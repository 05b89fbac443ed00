#include "MessageKind.h"

namespace vmm {

std::string_view messageKindName(uint16_t kind)
{
    switch (static_cast<MessageKind>(kind)) {
    case MessageKind::Hello:
        return "Hello";
    case MessageKind::Error:
        return "Error";
    case MessageKind::ExecRequest:
        return "ExecRequest";
    case MessageKind::ExecStarted:
        return "ExecStarted";
    case MessageKind::StdinData:
        return "StdinData";
    case MessageKind::StdinEnd:
        return "StdinEnd";
    case MessageKind::StdoutData:
        return "StdoutData";
    case MessageKind::StderrData:
        return "StderrData";
    case MessageKind::ExecSignal:
        return "ExecSignal";
    case MessageKind::ExecExited:
        return "ExecExited";
    case MessageKind::OutboxListRequest:
        return "OutboxListRequest";
    case MessageKind::OutboxEntry:
        return "OutboxEntry";
    case MessageKind::OutboxListEnd:
        return "OutboxListEnd";
    case MessageKind::OutboxFetchRequest:
        return "OutboxFetchRequest";
    case MessageKind::OutboxFileBegin:
        return "OutboxFileBegin";
    case MessageKind::OutboxFileChunk:
        return "OutboxFileChunk";
    case MessageKind::OutboxFileEnd:
        return "OutboxFileEnd";
    case MessageKind::MetricsRequest:
        return "MetricsRequest";
    case MessageKind::Metrics:
        return "Metrics";
    case MessageKind::ShutdownRequest:
        return "ShutdownRequest";
    case MessageKind::ShutdownAccepted:
        return "ShutdownAccepted";
    case MessageKind::MountDatasetRequest:
        return "MountDatasetRequest";
    case MessageKind::MountDatasetDone:
        return "MountDatasetDone";
    }
    return "unknown";
}

} // namespace vmm
