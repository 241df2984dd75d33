#include "content/image_store.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "base/fs.h"
#include "testing/test_env.h"

namespace kiln::content {
namespace {

// A one-layer image put into `store`; returns its manifest descriptor.
oci::Descriptor PutImage(BlobStore& blobs, const std::string& layer_data) {
  auto layer = blobs.Put(layer_data, oci::kMediaTypeLayer);
  oci::ImageConfig c;
  c.architecture = "amd64";
  c.os = "linux";
  c.diff_ids = {layer->digest};
  auto config = blobs.Put(oci::SerializeImageConfig(c), oci::kMediaTypeConfig);
  oci::Manifest m;
  m.config = *config;
  m.layers = {*layer};
  return *blobs.Put(oci::SerializeManifest(m), oci::kMediaTypeManifest);
}
oci::Descriptor PutImage(ImageStore& store, const std::string& layer_data) {
  return PutImage(store.blobs(), layer_data);
}

class ImageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = ImageStore::Open(dir_.path());
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
  }
  testing::ScratchDir dir_;
  std::unique_ptr<ImageStore> store_;
};

TEST_F(ImageStoreTest, NamesResolveLoadAndList) {
  auto m = PutImage(*store_, "layer-a");
  ASSERT_TRUE(store_->Tag("ci", m).ok());
  ASSERT_TRUE(store_->Tag("ci:v2", m).ok());
  EXPECT_EQ(store_->Resolve("ci:latest")->digest, m.digest);
  EXPECT_EQ(store_->Resolve(std::string(m.digest.hex().substr(0, 12)))->digest, m.digest);
  auto img = store_->Load("ci:v2");
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(img->manifest.layers.size(), 1u);
  EXPECT_EQ(store_->List()->size(), 2u);
  EXPECT_TRUE(store_->Untag("ci").ok());
  EXPECT_EQ(store_->Resolve("ci").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->Untag("ci").code(), Code::kNotFound);
  EXPECT_FALSE(NormalizeImageName("Bad Name").ok());
}

TEST_F(ImageStoreTest, NamesWithARegistryHostAndPortResolveAsWritten) {
  auto m = PutImage(*store_, "layer-host");
  auto other = PutImage(*store_, "layer-other");
  ASSERT_TRUE(store_->Tag("127.0.0.1:5000/team/tool:1.0", m).ok());
  ASSERT_TRUE(store_->Tag("127.0.0.1:5000/team/tool", other).ok());
  ASSERT_TRUE(store_->Tag("[::1]:5000/tool", m).ok());
  EXPECT_EQ(store_->Resolve("127.0.0.1:5000/team/tool:1.0")->digest, m.digest);
  EXPECT_EQ(store_->Resolve("127.0.0.1:5000/team/tool")->digest, other.digest);
  EXPECT_EQ(store_->Resolve("127.0.0.1:5000/team/tool:latest")->digest, other.digest);
  EXPECT_EQ(store_->Resolve("[::1]:5000/tool:latest")->digest, m.digest);
  EXPECT_EQ(store_->Load("127.0.0.1:5000/team/tool:1.0")->name, "127.0.0.1:5000/team/tool:1.0");
  // Names match as written: no docker.io or library/ is added.
  EXPECT_EQ(store_->Resolve("team/tool:1.0").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->Resolve("docker.io/library/ci").status().code(), Code::kNotFound);
  // By digest, bare or after a name.
  EXPECT_EQ(store_->Resolve(m.digest.str())->digest, m.digest);
  EXPECT_EQ(store_->Resolve("anything@" + other.digest.str())->digest, other.digest);
  EXPECT_EQ(store_->Resolve("sha256:" + std::string(64, '0')).status().code(), Code::kNotFound);
}

TEST_F(ImageStoreTest, NormalizeImageNameFollowsTheReferenceGrammar) {
  EXPECT_EQ(*NormalizeImageName("toolbox"), "toolbox:latest");
  EXPECT_EQ(*NormalizeImageName("ci:v2"), "ci:v2");
  EXPECT_EQ(*NormalizeImageName("localhost:5000/ci"), "localhost:5000/ci:latest");
  std::string at = "ci@sha256:" + std::string(64, 'a');
  EXPECT_EQ(*NormalizeImageName(at), at);
  for (const char* bad : {"Upper:tag", "ci:", ":tag", "a//b", "ci@sha256:abc", "host:port/x"}) {
    auto n = NormalizeImageName(bad);
    EXPECT_EQ(n.status().code(), Code::kInvalidArgument) << bad;
  }
  auto upper = NormalizeImageName("Foo:bar");
  EXPECT_EQ(upper.status().message(), "reference \"Foo:bar\": repository must be lower case");
  EXPECT_EQ(NormalizeImageName("sha256:" + std::string(64, 'a')).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(store_->Tag("Upper", PutImage(*store_, "layer-u")).code(), Code::kInvalidArgument);
}

TEST_F(ImageStoreTest, TagRefusesManifestWithMissingBlobs) {
  auto m = PutImage(*store_, "layer-b");
  auto img = store_->Load(m.digest.str());
  ASSERT_TRUE(store_->blobs().Delete(img->manifest.layers[0].digest).ok());
  EXPECT_EQ(store_->Tag("broken", m).code(), Code::kFailedPrecondition);
  EXPECT_TRUE(store_->List()->empty());
}

TEST_F(ImageStoreTest, GarbageCollectionKeepsNamedAndRootedImages) {
  auto kept = PutImage(*store_, "kept");
  auto rooted = PutImage(*store_, "rooted");
  auto dropped = PutImage(*store_, "dropped");
  ASSERT_TRUE(store_->Tag("kept", kept).ok());
  auto freed = store_->CollectGarbage({rooted.digest}, 0);
  ASSERT_TRUE(freed.ok());
  EXPECT_GT(*freed, 0);
  EXPECT_TRUE(store_->Load("kept").ok());
  EXPECT_TRUE(store_->Load(rooted.digest.str()).ok());
  EXPECT_FALSE(store_->blobs().Has(dropped.digest));
  EXPECT_FALSE(store_->blobs().Has(oci::Digest::FromData("dropped")));
}

TEST_F(ImageStoreTest, ConcurrentTagsFromTwoProcessesKeepBothNames) {
  auto m = PutImage(*store_, "shared");
  std::vector<pid_t> pids;
  for (int p = 0; p < 2; ++p) {
    pid_t pid = ::fork();
    if (pid == 0) {
      auto s = ImageStore::Open(dir_.path());
      for (int i = 0; i < 20; ++i) {
        if (!(*s)->Tag("p" + std::to_string(p) + ":t" + std::to_string(i), m).ok()) ::_exit(1);
      }
      ::_exit(0);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int st = 0;
    ::waitpid(pid, &st, 0);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
  EXPECT_EQ(store_->List()->size(), 40u);
}

TEST_F(ImageStoreTest, LayoutAndArchiveRoundTripAndCorruptionIsRefused) {
  auto m = PutImage(*store_, "exported");
  ASSERT_TRUE(store_->Tag("app:1.0", m).ok());
  testing::ScratchDir out;
  ASSERT_TRUE(ExportLayout(*store_, "app:1.0", out.Sub("layout"), "").ok());
  ASSERT_TRUE(ExportArchive(*store_, "app:1.0", out.Sub("a.tar"), "1.0").ok());
  testing::ScratchDir other;
  auto fresh = ImageStore::Open(other.path());
  auto from_layout = ImportLayout((*fresh)->blobs(), out.Sub("layout"), "1.0");
  ASSERT_TRUE(from_layout.ok()) << from_layout.status().ToString();
  EXPECT_EQ(from_layout->digest, m.digest);
  auto from_archive = ImportArchive((*fresh)->blobs(), out.Sub("a.tar"), "");
  ASSERT_TRUE(from_archive.ok()) << from_archive.status().ToString();
  EXPECT_EQ(from_archive->digest, m.digest);
  // Tamper with the layer blob in the layout: import must refuse it.
  testing::ScratchDir third;
  auto clean = ImageStore::Open(third.path());
  std::string blob =
      out.Sub("layout/blobs/sha256/") + std::string(oci::Digest::FromData("exported").hex());
  ::unlink(blob.c_str());
  ASSERT_TRUE(WriteFileAtomic(blob, "exporteD").ok());
  auto bad = ImportLayout((*clean)->blobs(), out.Sub("layout"), "1.0");
  EXPECT_EQ(bad.status().code(), Code::kDataLoss) << bad.status().ToString();
  EXPECT_TRUE((*clean)->List()->empty());
}

// A blob in the store whose size no longer matches its descriptor (a damaged disk, a hand edit)
// is refused, and nothing is left at the destination: an exported tar never holds an entry that
// disagrees with its header.
TEST_F(ImageStoreTest, ExportRefusesABlobThatDisagreesWithItsDescriptor) {
  auto m = PutImage(*store_, "exported");
  ASSERT_TRUE(store_->Tag("app:1.0", m).ok());
  std::string blob = store_->blobs().PathOf(oci::Digest::FromData("exported"));
  ASSERT_EQ(::chmod(blob.c_str(), 0644), 0);
  ASSERT_EQ(::truncate(blob.c_str(), 3), 0);
  testing::ScratchDir out;
  auto s = ExportArchive(*store_, "app:1.0", out.Sub("a.tar"), "");
  EXPECT_EQ(s.code(), Code::kDataLoss) << s.ToString();
  EXPECT_TRUE(ListDir(out.path())->empty());
}

// PutImage is all or nothing: a failed put removes the blobs it created, not those that were
// there before (even when it wrote them again), and nothing while another store user exists.
TEST_F(ImageStoreTest, FailedPutImageRemovesOnlyTheBlobsItCreated) {
  auto old = store_->blobs().Put("old", "x");
  ASSERT_TRUE(old.ok());
  auto fail = [&](BlobStore& blobs) -> Result<oci::Descriptor> {
    RETURN_IF_ERROR(blobs.Put("old", "x").status());
    RETURN_IF_ERROR(blobs.Put("new-1", "x").status());
    RETURN_IF_ERROR(blobs.Put("new-2", "x").status());
    return DataLoss("truncated");
  };
  EXPECT_EQ(store_->PutImage("x", fail).status().code(), Code::kDataLoss);
  EXPECT_EQ(*store_->blobs().List(), std::vector<oci::Digest>{old->digest});

  // A manifest that Tag refuses (a missing layer) counts as a failure too.
  auto tag_fails = [&](BlobStore& blobs) -> Result<oci::Descriptor> {
    oci::Descriptor m = PutImage(blobs, "layer-c");
    auto img = store_->Load(m.digest.str());
    RETURN_IF_ERROR(store_->blobs().Delete(img->manifest.layers[0].digest));
    return m;
  };
  EXPECT_EQ(store_->PutImage("y", tag_fails).status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(store_->blobs().List()->size(), 1u);

  {
    auto other = ImageStore::Open(dir_.path());  // another user of the store: it may rely on them
    ASSERT_TRUE(other.ok());
    EXPECT_FALSE(store_->PutImage("x", fail).ok());
    EXPECT_EQ(store_->blobs().List()->size(), 3u);
  }
  auto ok = store_->PutImage(
      "z", [&](BlobStore&) { return Result<oci::Descriptor>(PutImage(*store_, "layer-d")); });
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(store_->Load("z").ok());
}

// A failed put removes only what IT created: a blob another thread of the process committed
// meanwhile (the background packer, a capture, another pull) stays.
TEST_F(ImageStoreTest, FailedPutImageKeepsWhatAnotherThreadCreated) {
  oci::Digest other_blob = oci::Digest::FromData("other thread");
  auto fail = [&](BlobStore& blobs) -> Result<oci::Descriptor> {
    RETURN_IF_ERROR(blobs.Put("mine", "x").status());
    std::thread other([&] { ASSERT_TRUE(store_->blobs().Put("other thread", "x").ok()); });
    other.join();
    return DataLoss("truncated");
  };
  EXPECT_EQ(store_->PutImage("x", fail).status().code(), Code::kDataLoss);
  EXPECT_TRUE(store_->blobs().Has(other_blob));
  EXPECT_FALSE(store_->blobs().Has(oci::Digest::FromData("mine")));
}

// While another operation of the process that may rely on unnamed blobs is in flight (a
// capture found a blob present that the failed put created), nothing is removed.
TEST_F(ImageStoreTest, FailedPutImageRemovesNothingWhileAnotherIngestRuns) {
  auto capture = store_->BeginIngest();
  auto fail = [&](BlobStore& blobs) -> Result<oci::Descriptor> {
    RETURN_IF_ERROR(blobs.Put("mine", "x").status());
    return DataLoss("truncated");
  };
  EXPECT_EQ(store_->PutImage("x", fail).status().code(), Code::kDataLoss);
  EXPECT_TRUE(store_->blobs().Has(oci::Digest::FromData("mine")));
  capture.reset();
  EXPECT_EQ(store_->PutImage("x", fail).status().code(), Code::kDataLoss);
  EXPECT_EQ(store_->blobs().List()->size(), 1u);  // the first failure's blob waits for GC
  auto fail_2 = [&](BlobStore& blobs) -> Result<oci::Descriptor> {
    RETURN_IF_ERROR(blobs.Put("mine-2", "x").status());
    return DataLoss("truncated");
  };
  EXPECT_EQ(store_->PutImage("x", fail_2).status().code(), Code::kDataLoss);
  EXPECT_FALSE(store_->blobs().Has(oci::Digest::FromData("mine-2")));
}

}  // namespace
}  // namespace kiln::content
