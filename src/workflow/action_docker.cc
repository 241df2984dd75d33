// Docker actions (runs.using: docker) and `uses: docker://IMAGE` (action_runner.h).
#include "workflow/action_runner.h"

namespace kiln::workflow {

Status RunDockerAction(JobContext&, const Step& step, const ResolvedAction& a,
                       const std::map<std::string, std::string>&, Json&) {
  std::string what = !a.docker_image.empty()
                         ? "`uses: docker://" + a.docker_image + "`"
                         : "the Docker action " + step.uses + " (" + a.action.file + ")";
  return FailedPrecondition(step.uses_pos.ToString() + ": " + what +
                            " cannot run yet: kiln does not run Docker actions (a separate "
                            "container for the step); use a `run:` step, or a composite or "
                            "JavaScript action");
}

}  // namespace kiln::workflow
