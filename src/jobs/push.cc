#include "jobs/push.h"

#include "base/clock.h"
#include "images/push.h"

namespace kiln::jobs {

Result<oci::Descriptor> PushToRegistry(Engine& engine, const content::LoadedImage& image,
                                       const std::string& dest,
                                       const std::function<void(const std::string&)>& log) {
  std::string where = "push to " + dest;
  auto parsed = oci::Reference::Parse(dest);
  if (!parsed.ok()) return parsed.status().WithContext(where);
  if (parsed->domain.empty()) return InvalidArgument(where + ": no registry host in it");
  auto remote = parsed->WithRegistryDefaults();
  if (!remote.ok()) return remote.status().WithContext(where);
  ASSIGN_OR_RETURN(content::ImageStore * store, engine.Store());
  ASSIGN_OR_RETURN(registry::Client * client, engine.Registry(remote->domain));
  images::PushOptions options;
  auto origins = engine.Origins();
  if (origins.ok()) options.origins = *origins;
  options.progress = [&](const images::TransferEvent& e) {
    using State = images::TransferEvent::State;
    if (!log || e.state == State::kRunning || e.state == State::kFailed) return;
    std::string what = e.kind + " " + e.digest.Short();
    if (e.state == State::kDone) {
      log("⬆️  pushed " + what + " (" + FormatBytes(static_cast<uint64_t>(e.total)) + ")");
    } else {
      log("⬆️  " + what + ": " + e.note);
    }
  };
  ASSIGN_OR_RETURN(oci::Descriptor pushed,
                   images::PushImage(*client, *store, image, *remote, options));
  if (log) log("⬆️  pushed " + remote->ToString() + " (" + pushed.digest.str() + ")");
  return pushed;
}

}  // namespace kiln::jobs
