#include "jobs/pack_service.h"

#include "base/log.h"
#include "images/pending.h"
#include "jobs/engine.h"

namespace kiln::jobs {

PackService::~PackService() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    held_ = false;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void PackService::Submit(const catalog::VersionRecord& v) {
  std::lock_guard<std::mutex> lock(mu_);
  queue_.push_back(v);
  if (!worker_.joinable()) worker_ = std::thread([this] { Work(); });
  cv_.notify_all();
}

Result<int> PackService::Sweep() {
  ASSIGN_OR_RETURN(catalog::Catalog * cat, engine_->Catalog());
  ASSIGN_OR_RETURN(auto versions, cat->List(""));
  int n = 0;
  for (const auto& v : versions) {
    if (!v.is_pending()) continue;
    auto spec = images::ParsePending(v.pending);
    if (spec.ok() && images::FromAnotherBoot(*spec)) {
      // Now, before any job resolves it: MakeWhole deletes it (see images/pending.h).
      LogWarn(MakeWholeNow(v).status().message());
      continue;
    }
    LogInfo(v.image + ":" + v.version.ToString() +
            " is pending (left by a killed kiln?): writing its blobs from the layer cache");
    Submit(v);
    ++n;
  }
  return n;
}

void PackService::Hold(bool held) {
  std::lock_guard<std::mutex> lock(mu_);
  held_ = held;
  cv_.notify_all();
}

void PackService::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

Result<catalog::VersionRecord> PackService::MakeWholeNow(const catalog::VersionRecord& v) {
  ASSIGN_OR_RETURN(content::ImageStore * store, engine_->Store());
  ASSIGN_OR_RETURN(catalog::Catalog * cat, engine_->Catalog());
  ASSIGN_OR_RETURN(snapshot::LayerCache * layers, engine_->Layers());
  return images::MakeWhole({store, cat, layers}, v, [](const std::string& s) { LogInfo(s); });
}

void PackService::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_ || (!queue_.empty() && !held_); });
    if (queue_.empty()) return;  // stopping, and nothing left to do
    catalog::VersionRecord v = queue_.front();
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    auto whole = MakeWholeNow(v);
    if (!whole.ok() && whole.status().code() != Code::kNotFound) {
      LogWarn(v.image + ":" + v.version.ToString() +
              " stays pending (the next kiln start tries again): " + whole.status().ToString());
    }
    lock.lock();
    busy_ = false;
    cv_.notify_all();
  }
}

}  // namespace kiln::jobs
