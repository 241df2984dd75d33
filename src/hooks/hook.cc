// RunHook (hook.h): one call, dispatched to its phase.
#include "hooks/hook.h"

namespace kiln::hooks {

Result<int> RunHook(const HookContext& ctx, const HookInput& input) {
  Result<int> code = InvalidArgument("unset");
  switch (input.command) {
    case Command::kPrepareJob:
      code = PrepareJob(ctx, input);
      break;
    case Command::kRunScriptStep:
      code = RunScriptStep(ctx, input);
      break;
    case Command::kRunContainerStep:
      code = RunContainerStep(ctx, input);
      break;
    case Command::kCleanupJob:
      code = CleanupJob(ctx, input);
      break;
  }
  if (!code.ok()) return code.status().WithContext(CommandName(input.command));
  return code;
}

}  // namespace kiln::hooks
