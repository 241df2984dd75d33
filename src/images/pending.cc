#include "images/pending.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

#include "base/clock.h"
#include "base/fd.h"
#include "base/fs.h"
#include "base/json.h"

namespace kiln::images {
namespace {

Result<snapshot::CaptureRequest> CaptureFor(const PendingParts& parts, const PendingSpec& spec) {
  snapshot::CaptureRequest c;
  c.upper_dir = parts.layers->DirFor(spec.layer_key);
  auto base = parts.store->Load(spec.base.str());
  if (!base.ok()) return base.status().WithContext("base image " + spec.base.Short());
  c.base = std::move(*base);
  c.runner_size = spec.runner_size;
  c.source = spec.source;
  c.env = spec.env;
  c.labels = spec.labels;
  c.created = spec.created;
  c.compression = spec.compression;
  return c;
}

// Holds LOCK_EX on the keyed dir (waiting for another holder) while it lives.
Result<UniqueFd> LockDir(const std::string& dir) {
  ASSIGN_OR_RETURN(UniqueFd fd, Open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return ErrnoStatus("lock " + dir, errno);
  }
  return fd;
}

}  // namespace

std::string CurrentBootId() {
  auto id = ReadFile("/proc/sys/kernel/random/boot_id");
  if (!id.ok()) return "";
  std::string s = *id;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

bool FromAnotherBoot(const PendingSpec& spec) {
  return !spec.boot_id.empty() && spec.boot_id != CurrentBootId();
}

std::string SerializePending(const PendingSpec& s) {
  Json j = {{"base", s.base.str()},
            {"layer_key", s.layer_key},
            {"runner_size", s.runner_size},
            {"source", s.source},
            {"env", s.env},
            {"labels", s.labels},
            {"created", s.created},
            {"media_type", oci::LayerMediaType(s.compression)},
            {"boot_id", s.boot_id}};
  return DumpJson(j);
}

Result<PendingSpec> ParsePending(const std::string& text) {
  ASSIGN_OR_RETURN(Json j, ParseJson(text, "pending version"));
  PendingSpec s;
  try {
    ASSIGN_OR_RETURN(s.base, oci::Digest::Parse(j.at("base").get<std::string>()));
    s.layer_key = j.at("layer_key").get<std::string>();
    s.runner_size = j.at("runner_size").get<std::string>();
    s.source = j.at("source").get<std::string>();
    s.env = j.at("env").get<std::vector<std::string>>();
    s.labels = j.at("labels").get<std::map<std::string, std::string>>();
    s.created = j.at("created").get<int64_t>();
    s.boot_id = j.value("boot_id", "");
    ASSIGN_OR_RETURN(s.compression, oci::LayerCompression(j.at("media_type").get<std::string>()));
  } catch (const Json::exception& e) {
    return InvalidArgument(std::string("pending version: ") + e.what());
  }
  if (s.layer_key.rfind("snap-", 0) != 0 || s.layer_key.find('/') != std::string::npos) {
    return InvalidArgument("pending version: bad layer key \"" + s.layer_key + "\"");
  }
  return s;
}

Result<Image> PendingImage(const PendingParts& parts, const catalog::VersionRecord& v,
                           const LogFn& log) {
  std::string display = v.image + ":" + v.version.ToString();
  ASSIGN_OR_RETURN(PendingSpec spec, ParsePending(v.pending));
  auto capture = CaptureFor(parts, spec);
  if (!capture.ok()) return capture.status().WithContext("image " + display);
  std::string dir = parts.layers->DirFor(spec.layer_key);
  if (!IsDirectory(dir))
    return NotFound("image " + display + ": its layer dir " + dir + " is gone");
  Image image{display, capture->base, v, {}};
  ASSIGN_OR_RETURN(image.lower_dirs,
                   parts.layers->Prepare(image.loaded.manifest, image.loaded.config, log));
  image.lower_dirs.push_back(dir);
  snapshot::StampConfig(*capture, image.loaded.config);
  image.loaded.descriptor.digest = oci::Digest();  // none yet
  image.loaded.name = display;
  return image;
}

Result<catalog::VersionRecord> MakeWhole(const PendingParts& parts, const catalog::VersionRecord& v,
                                         const LogFn& log) {
  std::string display = v.image + ":" + v.version.ToString();
  if (!v.is_pending()) return v;
  ASSIGN_OR_RETURN(PendingSpec spec, ParsePending(v.pending));
  std::string dir = parts.layers->DirFor(spec.layer_key);
  auto lock = LockDir(dir);
  // Another packer may have finished (and the dir been pruned with its version): look again.
  ASSIGN_OR_RETURN(catalog::VersionRecord now,
                   parts.catalog->Resolve(v.image, v.version.ToString()));
  if (!now.is_pending()) return now;
  if (FromAnotherBoot(spec)) {
    // Never synced, and the host restarted since: what is left of the dir may be partial.
    RETURN_IF_ERROR(parts.catalog->DeleteVersions(v.image, {v.version}, true).status());
    return DataLoss(display + " was deleted: the host restarted before its layer was written, " +
                    "so its files may be incomplete");
  }
  if (!lock.ok()) return lock.status().WithContext("make " + display + " whole");
  Stopwatch watch;
  ASSIGN_OR_RETURN(snapshot::CaptureRequest c, CaptureFor(parts, spec));
  auto ingest = parts.store->BeginIngest();  // a failed pull meanwhile leaves its blobs alone
  auto captured = snapshot::Capture(c, *ingest);
  if (!captured.ok()) return captured.status().WithContext("make " + display + " whole");
  RETURN_IF_ERROR(SyncFilesystem(dir));  // durable before a whole version trusts it
  RETURN_IF_ERROR(parts.layers->Link(captured->layer.diff_id, spec.layer_key));
  RETURN_IF_ERROR(parts.catalog->CompleteVersion(v.image, v.version, captured->manifest.digest,
                                                 captured->size));
  if (log) {
    log(display + " is whole: " + captured->manifest.digest.Short() + ", layer " +
        FormatBytes(captured->layer.descriptor.size) + " (" +
        FormatBytes(captured->layer.uncompressed_bytes) + " unpacked) written in " +
        FormatDuration(watch.Seconds()));
  }
  return parts.catalog->Resolve(v.image, v.version.ToString());
}

}  // namespace kiln::images
