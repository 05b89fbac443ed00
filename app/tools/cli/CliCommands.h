#pragma once

#include <QStringList>

// One function per airlockctl command; each takes its arguments (after the command's name) and
// returns the exit status. Cli.cpp dispatches.
namespace app::cli {

/// airlockctl list [--audit FILE]
int listCommand(const QStringList& arguments);
/// airlockctl audit verify|export ...
int auditCommand(const QStringList& arguments);
/// airlockctl stop ID
int stopCommand(const QStringList& arguments);
/// airlockctl run --purpose TEXT ... -- COMMAND...
int runCommand(const QStringList& arguments);

} // namespace app::cli
