// Pending versions made whole in the background: the engine's packer (images/pending.h).
//
// A job that publishes a snapshot the quick way Submit()s its pending version; one worker
// thread makes the versions whole in order, so the next job starts on the version at once and
// the blob is written while it runs. Sweep() submits every pending version of the catalogue
// (those a killed kiln left: MakeWhole's lock makes one of another live process wait, then
// finds it whole). MakeWholeNow is for what needs the blobs now (export, inspect, a snapshot
// over a pending version): it packs in the calling thread, or waits for the packer of that
// version. The destructor waits for every submitted version, so `kiln run` ends with whole
// versions. Failures are logged as warnings: the version stays pending and the next sweep
// tries again. Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "base/status.h"
#include "catalog/catalog.h"

namespace kiln::jobs {

class Engine;

class PackService {
 public:
  explicit PackService(Engine* engine) : engine_(engine) {}
  ~PackService();
  PackService(const PackService&) = delete;
  PackService& operator=(const PackService&) = delete;

  void Submit(const catalog::VersionRecord& v);
  // Submits every pending version in the catalogue; returns how many.
  Result<int> Sweep();
  // Until every version submitted so far has been worked on.
  void WaitIdle();
  Result<catalog::VersionRecord> MakeWholeNow(const catalog::VersionRecord& v);
  // Tests: while held, the worker starts nothing (a version stays pending); the destructor
  // releases the hold.
  void Hold(bool held);

 private:
  void Work();

  Engine* engine_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<catalog::VersionRecord> queue_;
  bool busy_ = false;
  bool stop_ = false;
  bool held_ = false;
  std::thread worker_;
};

}  // namespace kiln::jobs
