// Pending versions: a snapshot usable at once, its blobs written after.
//
// Publishing a snapshot the quick way (jobs/session.h) moves the sandbox's upper dir into the
// layer cache as a keyed dir (snapshot/layer_cache.h) and records a *pending* catalogue version
// (catalog::VersionRecord::pending holds a PendingSpec). A job that names the version runs on
// the base image's layers plus that dir, with the base's config stamped as the capture will
// stamp it (PendingImage). MakeWhole then packs the dir (snapshot/capture.h), writes the config
// and manifest, links the diff ID to the keyed dir and completes the catalogue row; until then
// whatever needs the blobs (export, push, inspect, a snapshot of a job that ran on the version,
// GC) calls MakeWhole and so waits for it.
//
// MakeWhole holds a flock on the keyed dir while it works: a second caller (another thread, or
// another kiln process) waits, then finds the version whole and returns it. A kiln killed
// mid-pack leaves the row pending and the dir in place; the next MakeWhole (the engine's sweep
// at startup) packs it again. The blobs of a killed pack are unnamed, and GC removes them.
//
// Durability: the sandbox's overlay was volatile, so the keyed dir is synced (syncfs) by
// MakeWhole before the version is whole. A pending version recorded before the host restarted
// may have lost data with the page cache: MakeWhole deletes it (DataLoss; `latest` moves back)
// rather than make a blob of what is left.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "content/image_store.h"
#include "images/image.h"
#include "images/resolve.h"
#include "oci/media_types.h"
#include "snapshot/capture.h"
#include "snapshot/layer_cache.h"

namespace kiln::images {

// What makes a pending version whole: the rest of a snapshot::CaptureRequest.
struct PendingSpec {
  oci::Digest base;       // the base image's manifest (whole, in the store)
  std::string layer_key;  // the keyed dir in the layer cache: the upper dir, mount targets gone
  std::string runner_size;
  std::string source;
  std::vector<std::string> env;  // replaces the base's Env when not empty
  std::map<std::string, std::string> labels;
  int64_t created = 0;
  oci::Compression compression = oci::Compression::kGzip;
  std::string boot_id;  // the host's boot when recorded (/proc/sys/kernel/random/boot_id)
};

// This boot's id ("" when unknown).
std::string CurrentBootId();
// True when `spec` was recorded in another boot of the host (see Durability above).
bool FromAnotherBoot(const PendingSpec& spec);

std::string SerializePending(const PendingSpec& spec);
// InvalidArgument naming what is wrong.
Result<PendingSpec> ParsePending(const std::string& text);

// The parts pending versions live in; owned by the caller.
struct PendingParts {
  content::ImageStore* store;
  catalog::Catalog* catalog;
  snapshot::LayerCache* layers;
};

// The image a job runs for the pending version `v`: the base's manifest, its config stamped
// (snapshot::StampConfig), no digest yet; lower dirs: the base's layers (prepared) and the
// keyed dir.
Result<Image> PendingImage(const PendingParts& parts, const catalog::VersionRecord& v,
                           const LogFn& log);

// Makes `v` whole (see above) and returns its record as the catalogue now has it (whole).
// NotFound when the version was deleted meanwhile.
Result<catalog::VersionRecord> MakeWhole(const PendingParts& parts, const catalog::VersionRecord& v,
                                         const LogFn& log);

}  // namespace kiln::images
