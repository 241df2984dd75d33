// The fake Runtime: commands run directly on the host, with mount destinations rewritten to
// their sources in args, env values and cwd. No isolation; for tests of the layers above.
#include <atomic>
#include <csignal>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "base/fs.h"
#include "base/subprocess.h"
#include "runtime/sandbox.h"
#include "runtime/sandbox_record.h"

namespace kiln::runtime {
namespace {

std::string Rewrite(std::string s, const std::vector<BindMount>& mounts) {
  for (const auto& m : mounts) {
    size_t pos = 0;
    while ((pos = s.find(m.destination, pos)) != std::string::npos) {
      size_t end = pos + m.destination.size();
      bool boundary = end == s.size() || s[end] == '/' || s[end] == ':' || s[end] == ' ' ||
                      s[end] == '\'' || s[end] == '"';
      if (!boundary) {
        pos = end;
        continue;
      }
      s.replace(pos, m.destination.size(), m.source);
      pos += m.source.size();
    }
  }
  return s;
}

// The sandboxes that exist (made, pooled, not destroyed), id -> lower dirs: what LayerDirsInUse
// reports. Shared with the sandboxes, which may outlive their runtime.
struct Registry {
  std::mutex mu;
  std::map<std::string, std::vector<std::string>> lower_dirs;
  void Add(const std::string& id, const std::vector<std::string>& dirs) {
    std::lock_guard lock(mu);
    lower_dirs[id] = dirs;
  }
  void Remove(const std::string& id) {
    std::lock_guard lock(mu);
    lower_dirs.erase(id);
  }
};

class HostSandbox : public Sandbox {
 public:
  HostSandbox(std::string id, SandboxSpec spec, std::shared_ptr<Registry> registry)
      : id_(std::move(id)), spec_(std::move(spec)), registry_(std::move(registry)) {
    registry_->Add(id_, spec_.lower_dirs);
  }
  ~HostSandbox() override {
    if (!spec_.persistent) registry_->Remove(id_);
  }
  const std::string& id() const override { return id_; }
  Result<int> Exec(const ExecSpec& spec) override {
    std::vector<std::string> args, env;
    for (const auto& a : spec.args) args.push_back(Rewrite(a, spec_.mounts));
    for (const auto& e : spec.env.empty() ? spec_.image.env : spec.env)
      env.push_back(Rewrite(e, spec_.mounts));
    SubprocessOptions o;
    o.env = env;
    o.cwd = Rewrite(spec.cwd.empty() ? "/" : spec.cwd, spec_.mounts);
    o.on_line = spec.on_line ? spec.on_line : [](const std::string&, bool, bool) {};
    o.new_process_group = true;
    int group = 0;
    o.on_start = [this, &group](int pid) {
      std::lock_guard lock(mu_);
      groups_.insert(group = pid);
    };
    auto r = RunProcess(args, o);
    {
      std::lock_guard lock(mu_);
      groups_.erase(group);
    }
    if (!r.ok()) return r.status();
    return r->exit_code;
  }
  // Detached from kiln (its own session, not a child), so it outlives the process; Signal does
  // not reach it (the fake keeps no record of it).
  Status Spawn(const ExecSpec& spec, const std::string& log_file) override {
    std::vector<std::string> args, env;
    for (const auto& a : spec.args) args.push_back(Rewrite(a, spec_.mounts));
    for (const auto& e : spec.env.empty() ? spec_.image.env : spec.env)
      env.push_back(Rewrite(e, spec_.mounts));
    SubprocessOptions o;
    o.env = env;
    o.cwd = Rewrite(spec.cwd.empty() ? "/" : spec.cwd, spec_.mounts);
    o.output_file = log_file;
    return SpawnDetached(args, o);
  }
  Status Signal(int sig) override {
    std::lock_guard lock(mu_);
    for (int pgid : groups_) ::kill(-pgid, sig);
    return Status::Ok();
  }
  std::string HostPath(const std::string& p) const override { return Rewrite(p, spec_.mounts); }
  std::string UpperDir() const override { return ""; }
  Status Freeze() override { return Status::Ok(); }
  Status Thaw() override { return Status::Ok(); }
  Status Destroy() override {
    registry_->Remove(id_);
    return Status::Ok();
  }
  Status DestroyKeepingUpper(const std::string&) override {
    return FailedPrecondition("the host runtime has no upper dir");
  }
  bool from_pool() const override { return from_pool_; }
  bool from_pool_ = false;

 private:
  std::string id_;
  SandboxSpec spec_;
  std::shared_ptr<Registry> registry_;
  std::mutex mu_;
  std::set<int> groups_;  // process groups of running Execs
};

class HostRuntime : public Runtime {
 public:
  explicit HostRuntime(std::string scratch) : scratch_(std::move(scratch)) {}
  Result<std::unique_ptr<Sandbox>> Create(const SandboxSpec& spec) override {
    // A missing source is made as a dir; an existing file is bind-mounted as it is.
    for (const auto& m : spec.mounts) {
      if (!PathExists(m.source)) RETURN_IF_ERROR(MakeDirs(m.source));
    }
    std::string id = "host-" + std::to_string(++n_);
    bool pooled = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::string key = PoolKey(spec);
      for (auto it = pool_.begin(); it != pool_.end(); ++it) {
        if (it->key != key) continue;
        id = it->id, pooled = true;
        pool_.erase(it);
        break;
      }
    }
    auto box = std::make_unique<HostSandbox>(id, spec, registry_);
    box->from_pool_ = pooled;
    return std::unique_ptr<Sandbox>(std::move(box));
  }
  // The fake's pool is a list of ids: what it models is which Create gets a pooled one.
  Result<int> FillPool(const SandboxSpec& spec, int count) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string key = PoolKey(spec);
    int have = 0, started = 0;
    for (const auto& e : pool_) have += e.key == key;
    for (; have + started < count; ++started) {
      pool_.push_back({"host-" + std::to_string(++n_), key, spec.name, 0});
      registry_->Add(pool_.back().id, spec.lower_dirs);
    }
    return started;
  }
  Result<std::vector<PoolEntry>> ListPool() override {
    std::lock_guard<std::mutex> lock(mu_);
    return pool_;
  }
  Result<int> DrainPool() override {
    std::lock_guard<std::mutex> lock(mu_);
    int n = static_cast<int>(pool_.size());
    for (const auto& e : pool_) registry_->Remove(e.id);
    pool_.clear();
    return n;
  }
  Result<int> SweepOrphans() override { return 0; }
  Result<std::unique_ptr<Sandbox>> Attach(const std::string& id) override {
    return NotFound("the host runtime keeps no sandboxes (" + id + ")");
  }
  Result<std::vector<SandboxInfo>> List() override { return std::vector<SandboxInfo>{}; }
  Result<std::vector<std::string>> LayerDirsInUse() override {
    std::lock_guard lock(registry_->mu);
    std::set<std::string> dirs;
    for (const auto& [id, lowers] : registry_->lower_dirs)
      dirs.insert(lowers.begin(), lowers.end());
    return std::vector<std::string>(dirs.begin(), dirs.end());
  }

 private:
  std::string scratch_;
  std::atomic<int> n_{0};
  std::mutex mu_;
  std::vector<PoolEntry> pool_;
  std::shared_ptr<Registry> registry_ = std::make_shared<Registry>();
};

}  // namespace

std::unique_ptr<Runtime> NewHostRuntime(const std::string& scratch_dir) {
  return std::make_unique<HostRuntime>(scratch_dir);
}

}  // namespace kiln::runtime
