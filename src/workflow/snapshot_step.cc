// The snapshot action step: `uses: kiln/snapshot@v1` (or Depot's `depot/snapshot-action@v1`)
// with `with: {image: REF}` (one reference, or one per line).
#include "jobs/push.h"
#include "jobs/session.h"
#include "workflow/expr.h"
#include "workflow/job_context.h"
#include "workflow/parse_util.h"

namespace kiln::workflow {
namespace {

Result<std::vector<std::string>> Targets(JobContext& ctx, const Step& step) {
  auto it = step.with.find("image");
  if (it == step.with.end()) return InvalidArgument(step.uses + " needs `with: {image: REF}`");
  ASSIGN_OR_RETURN(std::string text, Interpolate(it->second, ctx.expr));
  std::vector<std::string> refs = NonEmptyLines(text);
  if (refs.empty()) return InvalidArgument(step.uses + ": `image` names no image");
  return refs;
}

}  // namespace

Status RunSnapshotAction(JobContext& ctx, const Step& step) {
  if (ctx.session == nullptr || ctx.engine == nullptr) {
    return FailedPrecondition(step.uses + " needs a job sandbox");
  }
  ASSIGN_OR_RETURN(std::vector<std::string> refs, Targets(ctx, step));
  std::vector<std::string> names;
  for (const auto& ref : refs) {
    ASSIGN_OR_RETURN(std::string name, content::NormalizeImageName(ref));
    names.push_back(name);
  }
  ASSIGN_OR_RETURN(content::LoadedImage image, ctx.session->CaptureNow(names[0]));
  ASSIGN_OR_RETURN(content::ImageStore * store, ctx.engine->Store());
  auto log = [&ctx](const std::string& line) { ctx.Print(line); };
  for (size_t i = 0; i < names.size(); ++i) {
    oci::Descriptor manifest = image.descriptor;
    manifest.annotations.clear();
    if (i > 0) RETURN_IF_ERROR(store->Tag(names[i], manifest));
    ASSIGN_OR_RETURN(oci::Descriptor pushed,
                     jobs::PushToRegistry(*ctx.engine, image, refs[i], log));
    (void)pushed;
  }
  return Status::Ok();
}

}  // namespace kiln::workflow
