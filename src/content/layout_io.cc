// OCI image layout directories in and out of the store.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "base/fs.h"
#include "content/image_store.h"
#include "content/layout_pick.h"

namespace kiln::content {
namespace {

// Streams a file into the store, checking it is exactly the blob `d`.
Status CopyIn(BlobStore& blobs, const std::string& path, const oci::Descriptor& d) {
  if (blobs.Has(d.digest)) return Status::Ok();
  ASSIGN_OR_RETURN(UniqueFd fd, Open(path, O_RDONLY));
  ASSIGN_OR_RETURN(auto w, blobs.NewWriter());
  RETURN_IF_ERROR(ReadChunks(fd.get(), [&](std::string_view chunk) { return w->Write(chunk); }));
  auto committed = w->Commit(d.media_type, d.digest, d.size);
  if (!committed.ok()) return committed.status().WithContext("blob " + d.digest.str());
  return Status::Ok();
}

std::string BlobPath(const std::string& dir, const oci::Digest& d) {
  return dir + "/blobs/" + std::string(d.algorithm()) + "/" + std::string(d.hex());
}

// Links the blob into the layout, or streams a copy when the layout is on another filesystem.
Status CopyOut(ImageStore& store, const std::string& dir, const oci::Descriptor& d) {
  std::string dest = BlobPath(dir, d.digest);
  if (PathExists(dest)) return Status::Ok();
  if (::link(store.blobs().PathOf(d.digest).c_str(), dest.c_str()) == 0) return Status::Ok();
  ASSIGN_OR_RETURN(UniqueFd in, store.blobs().Open(d.digest));
  return WriteFileAtomicWith(dest, 0444, [&](int out) {
    return ReadChunks(in.get(), [&](std::string_view chunk) { return WriteAll(out, chunk); });
  });
}

}  // namespace

Result<oci::Descriptor> ImportLayout(BlobStore& blobs, const std::string& dir,
                                     const std::string& ref) {
  if (!PathExists(dir + "/oci-layout"))
    return InvalidArgument(dir + " is not an OCI image layout (no oci-layout file)");
  ASSIGN_OR_RETURN(std::string index_text, ReadFile(dir + "/index.json"));
  ASSIGN_OR_RETURN(oci::Index index, oci::ParseIndex(index_text));
  ASSIGN_OR_RETURN(oci::Descriptor chosen, PickManifest(index, ref, dir));
  auto read_blob = [&](const oci::Descriptor& d) -> Result<std::string> {
    RETURN_IF_ERROR(CopyIn(blobs, BlobPath(dir, d.digest), d));
    return blobs.Read(d.digest);
  };
  ASSIGN_OR_RETURN(oci::Descriptor manifest_desc, ResolvePlatform(chosen, read_blob));
  ASSIGN_OR_RETURN(std::string text, read_blob(manifest_desc));
  ASSIGN_OR_RETURN(oci::Manifest m, oci::ParseManifest(text));
  RETURN_IF_ERROR(CopyIn(blobs, BlobPath(dir, m.config.digest), m.config));
  for (const auto& l : m.layers) RETURN_IF_ERROR(CopyIn(blobs, BlobPath(dir, l.digest), l));
  return manifest_desc;
}

Status ExportLayout(ImageStore& store, const std::string& name, const std::string& dir,
                    const std::string& ref) {
  ASSIGN_OR_RETURN(LoadedImage img, store.Load(name));
  RETURN_IF_ERROR(MakeDirs(dir + "/blobs/sha256"));
  if (!PathExists(dir + "/oci-layout")) {
    RETURN_IF_ERROR(WriteFileAtomic(dir + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})"));
  }
  for (const auto& d : BlobsOf(img)) RETURN_IF_ERROR(CopyOut(store, dir, d));
  oci::Index index;
  if (PathExists(dir + "/index.json")) {
    ASSIGN_OR_RETURN(std::string text, ReadFile(dir + "/index.json"));
    ASSIGN_OR_RETURN(index, oci::ParseIndex(text));
  }
  oci::Descriptor entry = TaggedEntry(img, ref);
  std::erase_if(index.manifests, [&](const oci::Descriptor& d) {
    auto it = d.annotations.find(oci::kAnnotationRefName);
    return it != d.annotations.end() && it->second == entry.annotations[oci::kAnnotationRefName];
  });
  index.manifests.push_back(entry);
  return WriteFileAtomic(dir + "/index.json", oci::SerializeIndex(index));
}

}  // namespace kiln::content
