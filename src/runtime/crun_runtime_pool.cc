// The crun Runtime's warm pool (the contract is in sandbox.h; the files it keeps in crun_pool.h).
#include <sys/file.h>

#include <cerrno>
#include <cstdlib>

#include "base/fd.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/log.h"
#include "runtime/crun_pool.h"
#include "runtime/crun_runtime.h"
#include "runtime/owner.h"

namespace kiln::runtime {

Result<int> CrunRuntime::FillPool(const SandboxSpec& spec, int count) {
  RETURN_IF_ERROR(PrepareHostOnce());
  SandboxSpec s = spec;
  s.mounts.clear();
  s.persistent = false;
  std::string key = PoolKey(s);
  // One filler per key at a time, so that two never both start the missing ones.
  RETURN_IF_ERROR(MakeDirs(o_.state_dir + "/pool", 0700));
  ASSIGN_OR_RETURN(UniqueFd lock,
                   Open(o_.state_dir + "/pool/" + key + ".lock", O_RDWR | O_CREAT, 0600));
  if (::flock(lock.get(), LOCK_EX) != 0) return ErrnoStatus("lock pool " + key, errno);
  ASSIGN_OR_RETURN(auto entries, ListPool());
  int have = 0;
  for (const auto& e : entries) have += e.key == key;
  int started = 0;
  for (; have + started < count; ++started) {
    ASSIGN_OR_RETURN(auto box, StartNew(s, kPoolOwnerPrefix + OwnerToken()));
    std::string dir = PathsOf(box->id()).dir;
    auto pid = ReadFile(dir + "/init.pid");
    Status ticket = pid.ok() ? WritePoolTicket(dir, key, std::atoi(pid->c_str())) : pid.status();
    if (!ticket.ok()) return ticket.WithContext("pool sandbox " + box->id());
    box->Detach();  // it waits in the pool
  }
  return started;
}

Result<std::vector<PoolEntry>> CrunRuntime::ListPool() {
  std::vector<PoolEntry> out;
  ASSIGN_OR_RETURN(auto ids, ListDir(SandboxesDir()));
  for (const auto& id : ids) {
    std::string dir = PathsOf(id).dir;
    auto ticket = ReadPoolTicket(dir);
    if (!ticket.ok() || !OwnerAlive(ticket->init_token)) continue;
    PoolEntry e{id, ticket->key, "", 0};
    auto record = ReadFile(dir + "/spec.json");
    auto j = record.ok() ? ParseJson(*record) : Result<Json>(record.status());
    if (j.ok()) e.name = j->value("name", ""), e.created = j->value("created", int64_t{0});
    out.push_back(std::move(e));
  }
  return out;
}

Result<int> CrunRuntime::DrainPool() {
  ASSIGN_OR_RETURN(auto entries, ListPool());
  int drained = 0;
  for (const auto& e : entries) {
    CrunPaths paths = PathsOf(e.id);
    if (!ClaimPooled(paths.dir)) continue;  // a job took it meanwhile
    RETURN_IF_ERROR(CrunSandbox::DestroyAt(e.id, paths));
    ++drained;
  }
  return drained;
}

std::unique_ptr<Sandbox> CrunRuntime::TakePooled(const SandboxSpec& spec) {
  std::string key = PoolKey(spec);
  auto ids = ListDir(SandboxesDir());
  for (const auto& id : ids.ok() ? *ids : std::vector<std::string>{}) {
    CrunPaths paths = PathsOf(id);
    auto ticket = ReadPoolTicket(paths.dir);
    if (!ticket.ok() || ticket->key != key || !OwnerAlive(ticket->init_token) ||
        !ClaimPooled(paths.dir))
      continue;
    Status ready = MountInto(ticket->init_pid, spec.mounts);  // Create made the sources
    auto user =
        ready.ok() ? ResolveUser(paths.dir + "/rootfs", spec.image.user) : Result<User>(ready);
    if (!user.ok()) {
      LogWarn("pooled sandbox " + id +
              " not usable, starting a new one: " + user.status().message());
      (void)CrunSandbox::DestroyAt(id, paths);
      continue;
    }
    auto box = std::make_unique<CrunSandbox>(id, paths, spec, *user);
    box->MarkFromPool();
    return box;
  }
  return nullptr;
}

}  // namespace kiln::runtime
