// Test images for pull and push tests (tests only): layers made from in-memory tars,
// compressed with gzip or zstd, with their config and manifest, put into a FakeRegistry or a
// local store.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "content/blob_store.h"
#include "content/image_store.h"
#include "oci/types.h"
#include "registry/client.h"
#include "registry/fake_registry.h"
#include "snapshot/compress.h"

namespace kiln::images {

struct TestBlob {
  oci::Descriptor descriptor;
  std::string bytes;
};

struct TestImage {
  std::vector<TestBlob> layers;
  std::vector<oci::Digest> diff_ids;
  TestBlob config;
  TestBlob manifest;
};

// A layer blob of `tar` compressed with `c`; `diff_id` gets the tar's sha256.
inline TestBlob MakeLayer(const std::string& tar, oci::Compression c, oci::Digest* diff_id) {
  auto store = content::NewMemoryBlobStore();
  auto writer = store->NewWriter();
  EXPECT_TRUE(writer.ok());
  auto sink = snapshot::CompressSink::New(c, 1, 1, writer->get());
  EXPECT_TRUE(sink->Write(tar).ok());
  EXPECT_TRUE(sink->Finish().ok());
  *diff_id = sink->DiffId();
  auto d = (*writer)->Commit(oci::LayerMediaType(c));
  EXPECT_TRUE(d.ok());
  auto bytes = store->Read(d->digest);
  EXPECT_TRUE(bytes.ok());
  return {*d, *bytes};
}

inline TestBlob Blob(const std::string& bytes, const std::string& media_type) {
  return {{media_type, oci::Digest::FromData(bytes), static_cast<int64_t>(bytes.size()), {}, {}},
          bytes};
}

// An image of the given layer tars, each compressed with its compression.
inline TestImage MakeImage(const std::vector<std::pair<std::string, oci::Compression>>& tars) {
  TestImage img;
  oci::ImageConfig config;
  oci::Platform host = oci::HostPlatform();
  config.architecture = host.architecture;
  config.os = host.os;
  oci::Manifest m;
  for (const auto& [tar, c] : tars) {
    oci::Digest diff_id;
    img.layers.push_back(MakeLayer(tar, c, &diff_id));
    img.diff_ids.push_back(diff_id);
    m.layers.push_back(img.layers.back().descriptor);
  }
  config.diff_ids = img.diff_ids;
  img.config = Blob(oci::SerializeImageConfig(config), oci::kMediaTypeConfig);
  m.config = img.config.descriptor;
  img.manifest = Blob(oci::SerializeManifest(m), oci::kMediaTypeManifest);
  return img;
}

// Puts every blob of `img` into `repo` of the fake, then the manifest under `tag`.
inline void PutInRegistry(registry::FakeRegistry& fake, registry::Client& client,
                          const std::string& repo, const TestImage& img, const std::string& tag) {
  for (const auto& l : img.layers) fake.AddBlob(repo, l.bytes);
  fake.AddBlob(repo, img.config.bytes);
  Status put = client.PutManifest(repo, tag, oci::kMediaTypeManifest, img.manifest.bytes);
  ASSERT_TRUE(put.ok()) << put.ToString();
}

// Puts every blob of `img` into the store and names it `name`.
inline void PutInStore(content::ImageStore& store, const TestImage& img, const std::string& name) {
  for (const auto& b : img.layers) ASSERT_TRUE(store.blobs().Put(b.bytes, b.descriptor.media_type).ok());
  ASSERT_TRUE(store.blobs().Put(img.config.bytes, oci::kMediaTypeConfig).ok());
  auto m = store.blobs().Put(img.manifest.bytes, oci::kMediaTypeManifest);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(store.Tag(name, *m).ok());
}

}  // namespace kiln::images
