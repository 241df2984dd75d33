// kiln build [-f Dockerfile] [-t NAME] [--build-arg K=V]... [--no-cache] [--json] CONTEXT
#include <cstdio>

#include "base/fs.h"
#include "base/json.h"
#include "build/build.h"
#include "cli/commands.h"
#include "cli/flags.h"

namespace kiln::cli {
namespace {

const char kHelp[] = R"(NAME
    kiln build - build an image from a Dockerfile, without docker

SYNOPSIS
    kiln build [-f FILE] [-t NAME] [--build-arg K=V]... [--no-cache] [--json] CONTEXT
    kiln build --prune-cache

DESCRIPTION
    Runs the Dockerfile FILE (default CONTEXT/Dockerfile) over the build context CONTEXT and
    names the result NAME in kiln's store, where jobs run it (runs-on: {image: NAME},
    container: NAME), `kiln image export` writes it as an OCI archive and `kiln push` sends it
    to a registry.

    Each instruction is one step, printed as docker prints it ("Step 3/9 : RUN make"). FROM
    takes a custom image's version ("toolbox", "toolbox:1.2.0"), a name in the store
    ("debian:bookworm"), a registry reference with a host, pulled when missing
    ("127.0.0.1:5000/team/base:1"), or scratch; names match as written, so nothing comes from
    Docker Hub unless named so. RUN starts a sandbox from the image so far, runs the command
    (the shell form through SHELL, default /bin/sh -c, with the image's Env and the ARGs in
    scope) and captures what it changed as a layer. COPY and ADD make a layer from files of
    the context (modes and times kept; owned by root, or by --chown=USER[:GROUP], names from
    the image's /etc/passwd and /etc/group; --chmod=OCTAL); ADD extracts a local
    tar archive (gzip, bzip2, xz). .dockerignore in the context is honoured. ENV, ARG, LABEL,
    USER, WORKDIR (which also makes the directory), EXPOSE, SHELL, CMD and ENTRYPOINT change
    the config.

    Every step's image is cached, named kiln-build-cache/KEY in the store, KEY a digest of the
    parent image, the instruction as expanded, the ARGs a RUN sees and the contents and modes of
    COPY's sources. An unchanged step prints " ---> Using cache" and starts no sandbox, so a
    rebuild of an unchanged Dockerfile and context gives the same image digest. Changing a
    COPY source rebuilds from that step on. `kiln image ls --all` lists the cache names;
    `kiln build --prune-cache` forgets them all and deletes what only they used.

    Not supported, and refused with FILE:LINE:COLUMN naming it (never ignored): multi-stage
    builds (a second FROM, COPY --from), RUN --mount/--network/--security, heredocs,
    ADD of a URL or git repository, FROM --platform, --link,
    HEALTHCHECK, VOLUME, ONBUILD, STOPSIGNAL, MAINTAINER. See docs/build.md.

OPTIONS
    -f, --file FILE     the Dockerfile (default CONTEXT/Dockerfile)
    -t, --tag NAME      the name the image gets ("app" is "app:latest"); without it the image
                        is known by its cache name, printed at the end
    --build-arg K=V     a value for ARG K (repeatable); a K no ARG declares is warned about.
                        Values are recorded in the image's history: never pass a secret
    --no-cache          run every step; reuse no cached image
    --json              print {"reference", "digest", "steps", "cached_steps"} on stdout; the
                        build's output goes to stderr
    --prune-cache       forget every cached step (kiln-build-cache/…) and delete the blobs
                        and layers only they used; takes no CONTEXT

EXIT STATUS
    0 built; 1 a step failed (a failing RUN names FILE:LINE:COLUMN, the instruction and its exit
    code; nothing is tagged); 2 bad usage or a Dockerfile error.

EXAMPLES
    kiln build -t app:1.0 .
    kiln build -f ci/Dockerfile --build-arg VERSION=1.2 -t toolbox-dev ci/
)";

const std::vector<FlagSpec> kFlags = {{"--file", "-f", true},    {"--tag", "-t", true},
                                      {"--build-arg", "", true}, {"--no-cache", "", false},
                                      {"--json", "", false},     {"--prune-cache", "", false}};

int PruneCache(App& app) {
  auto engine = app.Engine();
  if (!engine.ok()) return Fail(engine.status());
  auto forgot = build::ForgetBuildCache(**engine);
  if (!forgot.ok()) return Fail(forgot.status());
  std::printf("forgot %d cached build steps\n", *forgot);
  Status collected = CollectUnused(app);
  return collected.ok() ? 0 : Fail(collected);
}

}  // namespace

int BuildCommand(App& app, const Args& args) {
  if (WantsHelp(args, kHelp)) return 0;
  auto flags = Flags::Parse(args, kFlags);
  if (!flags.ok()) return Fail(flags.status());
  if (flags->Has("--prune-cache") && flags->positional().empty()) return PruneCache(app);
  if (flags->positional().size() != 1) {
    return Fail(InvalidArgument(
        "usage: kiln build [-f FILE] [-t NAME] [--build-arg K=V]... [--no-cache] [--json] "
        "CONTEXT"));
  }
  build::BuildRequest request;
  request.context_dir = flags->positional()[0];
  request.dockerfile = flags->Get("--file");
  request.tag = flags->Get("--tag");
  request.no_cache = flags->Has("--no-cache");
  for (const auto& kv : flags->GetAll("--build-arg")) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Fail(InvalidArgument("--build-arg " + kv + ": want K=V"));
    }
    request.build_args[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  bool json = flags->Has("--json");
  FILE* out = json ? stderr : stdout;
  request.log = [out](const std::string& line) {
    std::fprintf(out, "%s\n", line.c_str());
    std::fflush(out);
  };
  auto engine = app.Engine();
  if (!engine.ok()) return Fail(engine.status());
  auto built = build::Build(**engine, request);
  if (!built.ok()) return Fail(built.status());
  if (json) {
    OrderedJson j = {{"reference", built->reference},
                     {"digest", built->manifest_digest.str()},
                     {"steps", built->steps},
                     {"cached_steps", built->cached_steps}};
    std::printf("%s\n", DumpJson(j).c_str());
  } else if (request.tag.empty()) {
    std::printf("%s %s\n", built->reference.c_str(), built->manifest_digest.str().c_str());
  }
  return 0;
}

}  // namespace kiln::cli
