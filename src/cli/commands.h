// kiln's subcommands. Each takes the words after its name and returns the process exit code:
// 0 success, 1 failure, 2 bad usage or bad input.
#pragma once

#include <string>
#include <vector>

#include "cli/app.h"

namespace kiln::cli {

using Args = std::vector<std::string>;

int ImageCommand(App& app, const Args& args);           // kiln image …
int ImageImportCommand(App& app, const Args& args);     // kiln image import
int ImageExportCommand(App& app, const Args& args);     // kiln image export
int ImageListCommand(App& app, const Args& args);       // kiln image ls, kiln images
int ImageInspectCommand(App& app, const Args& args);    // kiln image inspect
int ImageRemoveCommand(App& app, const Args& args);     // kiln image rm
int ImageDiffCommand(App& app, const Args& args);       // kiln image diff
int ImageRollbackCommand(App& app, const Args& args);   // kiln image rollback
int ImagePruneCommand(App& app, const Args& args);      // kiln image prune
int ImageRetentionCommand(App& app, const Args& args);  // kiln image retention
int ImageTagCommand(App& app, const Args& args);        // kiln image tag
int PullCommand(App& app, const Args& args);            // kiln pull
int PushCommand(App& app, const Args& args);            // kiln push
int LoginCommand(App& app, const Args& args);           // kiln login
int LogoutCommand(App& app, const Args& args);          // kiln logout
int RunCommand(App& app, const Args& args);             // kiln run
int RunnerCommand(App& app, const Args& args);          // kiln runner …
int SandboxCommand(App& app, const Args& args);         // kiln sandbox …
int PoolCommand(App& app, const Args& args);            // kiln pool …
int HookCommand(App& app, const Args& args);            // kiln hook (GitHub container hooks)
int BuildCommand(App& app, const Args& args);           // kiln build
int GitlabCommand(App& app, const Args& args);          // kiln gitlab …

// Removes a custom image version ("NAME:X.Y.Z") or every version ("NAME"); NotFound when NAME
// is no custom image.
Status RemoveCustomImage(App& app, const std::string& ref, bool force);
// Deletes blobs no image name or custom-image version reaches; prints what was freed.
Status CollectUnused(App& app);

// True when args ask for help (-h/--help); prints `text` to stdout.
bool WantsHelp(const Args& args, const char* text);

}  // namespace kiln::cli
