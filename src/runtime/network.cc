// Joining and leaving kiln networks (network.h).
#include "runtime/network.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "base/fd.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/subprocess.h"

namespace kiln::runtime {
namespace {

std::string NetDir(const std::string& state, const std::string& name) {
  return state + "/networks/" + name;
}

Result<UniqueFd> LockNetworks() {
  RETURN_IF_ERROR(MakeDirs("/run/lock", 0755));
  ASSIGN_OR_RETURN(UniqueFd fd, Open(kNetworkLock, O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (::flock(fd.get(), LOCK_EX) != 0) return ErrnoStatus("lock kiln networks", errno);
  return fd;
}

Result<std::vector<NetMember>> Members(const std::string& dir) {
  std::vector<NetMember> out;
  if (!IsDirectory(dir + "/members")) return out;
  ASSIGN_OR_RETURN(auto names, ListDir(dir + "/members"));
  for (const auto& n : names) {
    ASSIGN_OR_RETURN(std::string text, ReadFile(dir + "/members/" + n));
    ASSIGN_OR_RETURN(Json j, ParseJson(text, "network member " + n));
    ASSIGN_OR_RETURN(NetMember m, MemberFromJson(j));
    out.push_back(std::move(m));
  }
  return out;
}

// Rewrites each member's hosts file in place (it is bind-mounted: same inode).
void WriteHosts(const std::vector<NetMember>& members) {
  for (const auto& m : members) {
    std::string text = MembersHosts(m, members, ReadHostsKept(m.hosts_file));
    auto fd = Open(m.hosts_file, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
    Status s = fd.ok() ? WriteAll(fd->get(), text) : fd.status();
    if (!s.ok()) LogDebug("hosts of " + m.sandbox_id + ": " + s.message());
  }
}

Result<NetworkConfig> ReadConfig(const std::string& dir, const std::string& name) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(dir + "/network.json"));
  ASSIGN_OR_RETURN(Json j, ParseJson(text, "network " + name));
  NetworkConfig c;
  c.name = name;
  c.subnet = j.value("subnet", "");
  c.gateway = j.value("gateway", "");
  c.bridge = j.value("bridge", "");
  c.ipam_dir = dir + "/ipam";
  return c;
}

// A new network in `dir`: a subnet no kiln network (of any state dir: their bridges are host
// routes once a sandbox joined) and no host route uses.
Result<NetworkConfig> MakeNetwork(const std::string& state, const std::string& dir,
                                  const std::string& name) {
  std::vector<std::string> taken, routes;
  if (auto names = ListDir(state + "/networks"); names.ok()) {
    for (const auto& n : *names) {
      if (auto c = ReadConfig(NetDir(state, n), n); c.ok()) taken.push_back(c->subnet);
    }
  }
  ASSIGN_OR_RETURN(auto r, RunChecked({"ip", "-j", "-4", "route", "show", "table", "all"}));
  ASSIGN_OR_RETURN(Json j, ParseJson(r.out, "ip route"));
  for (const auto& route : j) routes.push_back(route.value("dst", ""));
  ASSIGN_OR_RETURN(NetworkConfig c, PickSubnet(taken, routes));
  c.name = name;
  c.ipam_dir = dir + "/ipam";
  RETURN_IF_ERROR(MakeDirs(dir + "/members", 0700));
  RETURN_IF_ERROR(MakeDirs(c.ipam_dir, 0700));
  Json cj = {{"subnet", c.subnet}, {"gateway", c.gateway}, {"bridge", c.bridge}};
  RETURN_IF_ERROR(WriteFileAtomic(dir + "/network.json", DumpJson(cj, 2), 0600));
  return c;
}

// Removes the network in `dir` when no member is left: its bridge and dir (and leases).
Status RemoveIfEmpty(const std::string& dir, const std::string& name) {
  ASSIGN_OR_RETURN(auto left, Members(dir));
  if (!left.empty()) return Status::Ok();
  auto c = ReadConfig(dir, name);
  if (c.ok() && !c->bridge.empty()) {
    auto r = RunProcess({"ip", "link", "del", c->bridge});
    if (r.ok() && r->exit_code != 0 && r->err.find("Cannot find") == std::string::npos)
      LogWarn("remove bridge " + c->bridge + ": " + r->err);
  }
  return RemoveTree(dir);
}

Status Leave(const std::string& dir, const std::string& name, const NetMember& m) {
  ASSIGN_OR_RETURN(NetworkConfig c, ReadConfig(dir, name));
  CniCall call{m.sandbox_id, m.netns, m.ports};
  Status del = CniDel(Conflist(c), call, m.cni_result);
  std::string record = dir + "/members/" + m.sandbox_id + ".json";
  if (!del.ok()) {
    // The plugins did what they could (CniDel calls each); the record stays, with no address
    // (so in no hosts file), for the sweep to retry the DEL: without it the rules left would
    // be nobody's.
    NetMember kept = m;
    kept.address.clear();
    RETURN_IF_ERROR(WriteFileAtomic(record, DumpJson(MemberToJson(kept)), 0600));
  } else if (::unlink(record.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus("remove member " + m.sandbox_id + " of network " + name, errno);
  }
  ASSIGN_OR_RETURN(auto rest, Members(dir));
  std::erase_if(rest, [&](const NetMember& r) { return r.sandbox_id == m.sandbox_id; });
  WriteHosts(rest);
  if (!del.ok())
    return del.WithContext("leave network " + name + " (member kept for the sweep to retry)");
  return RemoveIfEmpty(dir, name);
}

// The host ports every member of every kiln network of `state` publishes, with who holds each.
std::vector<std::pair<PortMapping, std::string>> PublishedHostPorts(const std::string& state) {
  std::vector<std::pair<PortMapping, std::string>> out;
  auto names = ListDir(state + "/networks");
  for (const auto& n : names.ok() ? *names : std::vector<std::string>{}) {
    auto members = Members(NetDir(state, n));
    for (const auto& m : members.ok() ? *members : std::vector<NetMember>{}) {
      for (const auto& p : m.ports)
        out.emplace_back(p, "sandbox " + m.sandbox_id + " on network " + n);
    }
  }
  return out;
}

// Checks the host ports `ports` ask for and picks free ones for those of 0 (under the lock).
Status ChooseHostPorts(const std::string& state, std::vector<PortMapping>& ports) {
  auto held = PublishedHostPorts(state);
  auto holder = [&](const PortMapping& p) -> std::string {
    for (const auto& [q, who] : held)
      if (PortsClash(p, q)) return who;
    return HostPortBusy(p) ? "a process on the host" : "";
  };
  for (auto& p : ports) {
    if (p.host_port == 0) {
      // The kernel's free port may still be another sandbox's: portmap's DNAT binds no socket.
      for (int tries = 0; p.host_port == 0 || !holder(p).empty(); ++tries) {
        if (tries == 100) return Unavailable("no free host port for " + p.protocol);
        ASSIGN_OR_RETURN(p.host_port, FreeHostPort(p.protocol));
      }
    } else if (std::string who = holder(p); !who.empty()) {
      return FailedPrecondition("host port " + HostPortText(p) + " is already allocated (by " +
                                who + ")");
    }
    held.emplace_back(p, "another port of this sandbox");
  }
  return Status::Ok();
}

}  // namespace

std::string ReadHostsKept(const std::string& path) {
  auto fd = Open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (!fd.ok()) return "";
  std::string text(kHostsReadMax + 1, '\0');
  auto n = ReadFull(fd->get(), text.data(), text.size());
  if (!n.ok() || *n > kHostsReadMax) return "";
  text.resize(*n);
  return text;
}

Result<NetMember> JoinNetwork(const std::string& state, const std::string& name, NetMember m) {
  RETURN_IF_ERROR(ValidateNetworkName(name));
  ASSIGN_OR_RETURN(UniqueFd lock, LockNetworks());
  std::string dir = NetDir(state, name);
  auto c = ReadConfig(dir, name);
  if (!c.ok() && c.status().code() == Code::kNotFound) c = MakeNetwork(state, dir, name);
  if (!c.ok()) return c.status().WithContext("network " + name);
  if (Status ports = ChooseHostPorts(state, m.ports); !ports.ok()) {
    (void)RemoveIfEmpty(dir, name);  // a network this join made
    return ports.WithContext("network " + name);
  }
  // Recorded before the ADD (no address yet: in no hosts file), so that a kiln killed during
  // it leaves a member the sweep deletes (CNI DEL without a prevResult) rather than a lease
  // and plugin rules nobody knows of.
  std::string record = dir + "/members/" + m.sandbox_id + ".json";
  RETURN_IF_ERROR(WriteFileAtomic(record, DumpJson(MemberToJson(m)), 0600));
  auto added = CniAdd(Conflist(*c), CniCall{m.sandbox_id, m.netns, m.ports});
  if (added.ok()) {
    m.cni_result = *added;
    m.address = ResultAddress(*added);
    Status saved = WriteFileAtomic(record, DumpJson(MemberToJson(m)), 0600);
    if (!saved.ok()) added = saved;
  }
  if (!added.ok()) {
    (void)Leave(dir, name, m);
    return added.status().WithContext("join network " + name);
  }
  ASSIGN_OR_RETURN(auto all, Members(dir));
  WriteHosts(all);
  return m;
}

Status LeaveNetwork(const std::string& state, const std::string& name,
                    const std::string& sandbox_id) {
  ASSIGN_OR_RETURN(UniqueFd lock, LockNetworks());
  std::string dir = NetDir(state, name);
  auto text = ReadFile(dir + "/members/" + sandbox_id + ".json");
  if (!text.ok() && text.status().code() == Code::kNotFound) return Status::Ok();
  if (!text.ok()) return text.status();
  ASSIGN_OR_RETURN(Json j, ParseJson(*text, "network member " + sandbox_id));
  ASSIGN_OR_RETURN(NetMember m, MemberFromJson(j));
  return Leave(dir, name, m);
}

Result<int> SweepNetworks(const std::string& state) {
  if (!IsDirectory(state + "/networks")) return 0;
  ASSIGN_OR_RETURN(UniqueFd lock, LockNetworks());
  ASSIGN_OR_RETURN(auto names, ListDir(state + "/networks"));
  int released = 0;
  for (const auto& name : names) {
    std::string dir = NetDir(state, name);
    auto members = Members(dir);
    if (!members.ok()) {
      LogWarn("sweep network " + name + ": " + members.status().message());
      continue;
    }
    for (const auto& m : *members) {
      if (PathExists(state + "/sandboxes/" + m.sandbox_id)) continue;
      Status s = Leave(dir, name, m);
      if (!s.ok()) LogWarn("sweep network " + name + ": " + s.message());
      released += s.ok();
    }
    Status s = RemoveIfEmpty(dir, name);
    if (!s.ok()) LogWarn("sweep network " + name + ": " + s.message());
  }
  return released;
}

}  // namespace kiln::runtime
