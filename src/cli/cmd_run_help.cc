// The text of `kiln run --help`.
namespace kiln::cli {

extern const char kRunHelp[] = R"(NAME
    kiln run - run GitHub Actions workflow jobs in kiln sandboxes

SYNOPSIS
    kiln run [EVENT] [WORKFLOW_FILE|DIR] [-W|--workflows PATH] [-e|--eventpath FILE]
             [-j|--job ID] [-l|--list] [-n|--dryrun] [--event NAME] [-P LABEL=IMAGE]...
             [--config FILE] [-s|--secret NAME]... [--secret-file FILE]
             [--env NAME=VALUE]... [--env-file FILE] [--var NAME=VALUE]... [--var-file FILE]
             [--input NAME=VALUE]... [--input-file FILE] [-a|--actor NAME]
             [--github-instance HOST] [--defaultbranch NAME] [--remote-name NAME]
             [--warm-pool N] [--concurrent-jobs N] [--json] [--tls-verify=false]
             [-v|--verbose] [--action-cache DIR] [--cache-dir DIR]
             [--artifact-server-path DIR] [--strict-labels] [--bind]

DESCRIPTION
    Runs the jobs of a workflow file, or of every *.yml/*.yaml in DIR (default:
    ./.github/workflows) that the event triggers, each in its own sandbox: an overlay of the
    image's cached layers, run by crun with hardened defaults. Each step's script is exec'd
    into the job's sandbox (bash --noprofile --norc -eo pipefail {0}, sh -e {0}, …) and its
    output streamed live,
    prefixed by workflow and job. Jobs that do not need each other run at once, up to
    --concurrent-jobs; each starts once the jobs in its `needs` have finished. Each job gets
    its own copy of the current directory at /github/workspace, as on GitHub: what a job
    writes there stays in its copy. .git is copied; what git ignores (.gitignore) is not, as
    act does, nor the secret files kiln read (.secrets, --secret-file). The copy comes from
    a mirror kiln keeps per repository (<state>/workspaces/) and updates incrementally each
    run (by size, mtime and mode; symlinks stay links);
    --bind mounts the current directory itself instead (all of it, the same in every job,
    and a job's writes land in it).
    GITHUB_ENV, GITHUB_PATH and GITHUB_OUTPUT work as on GitHub, but kiln reads them only
    as regular files of at most 1 MiB inside the job's temp dir: a step that turns one into
    a symlink, a FIFO or a bigger file fails. After each step (and after
    the job) kiln removes the setuid and setgid bits of every file in the workspace and the
    job's $HOME and $RUNNER_TEMP, so a job cannot leave a set-id program on the host.

    A job's image: `container:`; `runs-on: {image: NAME[:VERSION], size: 4x16}`; a runner
    (`kiln runner add`); a -P mapping; the config file's [labels]; its default_image.
    An image named with a registry host (127.0.0.1:5000/team/toolbox:1.2.0) is pulled when
    it is missing, and its tag re-checked with one HEAD request when it is present (the local
    copy is used, with a warning, when the registry cannot be reached).
    A job with `snapshot:` that succeeds becomes a new version of a custom image (see
    `kiln image ls`), which later jobs can run on; `snapshot: {image-name: NAME, push: REPO}`
    also pushes it as REPO:<version> and REPO:latest. A step `uses: kiln/snapshot@v1` (or
    depot/snapshot-action@v1) with `with: {image: REF}` captures the sandbox at that point and
    pushes it to REF (one reference per line); later steps go on in the same sandbox.
    A job whose runs-on label maps to none of these is skipped with a warning, as act does
    (--strict-labels fails the run instead). As on GitHub, a job without a status function in
    its `if:` runs only if every job it needs, directly or through others, succeeded
    (failure() is true only when one of them failed, not when they were only skipped); a job
    whose continue-on-error is true (may be an expression, e.g. ${{ matrix.experimental }})
    and fails does not fail the run, and the jobs that need it run; a container: job's
    steps run `sh -e {0}` unless a shell is named; `shell:` may be an
    expression; a matrix may be an expression, even of needs outputs (expanded once those
    jobs have finished); a matrix that expands to no job is an error. A matrix job is named
    by its values in the order its keys are written, e.g. build (ubuntu-latest, 18, false),
    an object value on one line; the first key varies slowest. A step without `name:` is
    named Run and the first line of its script as written (not interpolated); every step
    name is shown on one line. A job image that is not in the store fails its set up with
    what to do: map it with -P, import one (kiln image import) or pull it (kiln pull).

    `container:` takes image, env, ports, volumes (NAME:/path is a volume of the job's own,
    /host/path:/path[:ro] a bind mount), options and credentials; `services:` the same per
    service. Options are docker's create options kiln honours: --cpus and -m/--memory (the
    smallest size that fits), -e NAME=VALUE (a bare -e NAME, copying kiln's own environment,
    is an error: use env:), -u/--user, -h/--hostname, -w/--workdir, --entrypoint,
    --name, --network-alias, the --health-* options and --no-healthcheck; any other is an
    error naming it (--user: that user owns the job's temp, home and workspace copy). A job
    with services (or container options, volumes, ports or credentials) runs on a network of its
    own: its services start first, reachable from the job by their names, and kiln waits
    until those with a health check are healthy (a service that never is fails the job).
    ports: are published on the host: ${{ job.services.NAME.ports['5432'] }} is the host
    port. Credentials are used to pull that image only. All of it is removed when the job
    ends. Such a job cannot take a `snapshot:`.

OPTIONS
  Selection (as act)
    EVENT, --event NAME          the triggering event. A first argument that exists as a path
                                 is the workflow file or DIR; any other is the event
                                 (kiln run pull_request). Default: the one event in `on:` of a
                                 workflow file named here, or of the workflows holding the -j
                                 job when they have one between them, else push
    -W, --workflows PATH         the workflow file or directory (always a path)
    -e, --eventpath FILE         the event payload (a JSON object): github.event and the job's
                                 GITHUB_EVENT_PATH. Without it, as act: {"repository":
                                 {"default_branch": "master"}} (--defaultbranch), plus
                                 {"inputs": …} when --input is given
    -j, --job ID                 run only this job and the jobs it needs (transitively); an
                                 unknown ID is an error naming the jobs there are
    -l, --list                   list the jobs and exit: stage, job id, job name, workflow
                                 name, workflow file and events, as act -l (with --json, as
                                 JSON). Every job of every workflow, or those of an EVENT or
                                 -j given. Needs no root and runs nothing
    -n, --dryrun                 plan and print each job and its steps as they would run, then
                                 the summary; runs nothing (no sandbox, no image). Exit 0 when
                                 the plan is valid (inputs included, and every uses: found:
                                 built in, in --action-cache, or ./path with an action.yml),
                                 2 when not
    A workflow file or job named here that would run nothing is an error saying why; a
    directory with nothing for the event says so and exits 0.

  Values (as act: the default files .secrets, .env, .vars and .input in the current directory
  are read when they exist; a file named by a flag must exist; a *.yml or *.yaml file is a
  mapping of NAME: VALUE instead of NAME=VALUE lines)
    -s, --secret NAME            the secret NAME (${{ secrets.NAME }}), its value taken from the
                                 environment variable NAME; exit 2 if NAME is not set
    -s, --secret NAME=VALUE      the same with the value given here: accepted, with a warning,
                                 as the value is then in kiln's command line, which every local
                                 user can read (ps, /proc/PID/cmdline)
    --secret-file FILE           secrets as NAME=VALUE lines (act's .secrets format): blank
                                 lines and # comments ignored, optional `export `, values in
                                 '…' taken as is, in "…" with \n \t \" \\ escapes; a bad
                                 line is an error naming FILE:LINE. Default: .secrets. -s
                                 overrides the file.
    --env NAME=VALUE             an extra environment variable for every job; also overrides a
                                 GITHUB_* value of the github context (GITHUB_RUN_ID, GITHUB_REF,
                                 GITHUB_SHA, GITHUB_REPOSITORY, GITHUB_SERVER_URL, …)
    --env-file FILE              env as NAME=VALUE lines (the .secrets format; default .env);
                                 --env overrides it
    --var NAME=VALUE             a variable of the vars context (${{ vars.NAME }})
    --var-file FILE              vars as NAME=VALUE lines (default .vars); --var overrides it
    --input NAME=VALUE           an input of a workflow_dispatch or workflow_call run
                                 (${{ inputs.NAME }}), typed as `on:` declares it: boolean
                                 (true/false), number, choice (one of its options), string.
                                 Missing: the payload's inputs (-e), else its default; a required
                                 input with none is an error naming it and its FILE:LINE
    --input-file FILE            inputs as NAME=VALUE lines (default .input); --input overrides
    -a, --actor NAME             github.actor and GITHUB_ACTOR (default nektos/act, as act)
    --github-instance HOST       the GitHub host of github.server_url, api_url and graphql_url
                                 (default github.com; another host: https://HOST/api/v3 …)
    --defaultbranch NAME         the default branch of a payload without one (default master;
                                 without it and -e, actions/cache falls back to the
                                 repository's: origin/HEAD, else the current branch)
    --remote-name NAME           the git remote github.repository comes from (default origin)

  Run
    -P, --platform LABEL=IMAGE   map a runs-on label (or a container image name) to an image
    --strict-labels              a runs-on label that maps to no image fails the run (default:
                                 that job is skipped with a warning, as act does)
    --config FILE                runner config (default $KILN_CONFIG, else /etc/kiln/config.toml)
    --warm-pool N                keep N sandboxes started ahead of time per image and size, and
                                 start jobs in them (default: the config's warm_pool, else 0;
                                 see kiln pool --help)
    --concurrent-jobs N          run at most N jobs at once (default: the number of CPUs);
                                 a job starts once the jobs it needs have finished
    --action-cache DIR           actions named OWNER/REPO[/PATH]@REF are read from
                                 DIR/OWNER/REPO@REF[/PATH] (kiln downloads none; see ACTIONS)
    --cache-dir DIR              where actions/cache keeps its entries (default
                                 STATE_DIR/actions-cache; per repository and ref)
    --artifact-server-path DIR   keep upload-artifact's artifacts in DIR/RUN_ID/NAME/ (as
                                 act); by default they are kept in the run's scratch dir and
                                 removed when the run ends
    --bind                       bind-mount the current directory at /github/workspace
                                 instead of giving each job a copy of it
    --json                       print the run report as JSON on stdout (logs go to stderr)
    -v, --verbose                show ::debug:: lines of steps (also when the secret or
                                 variable ACTIONS_STEP_DEBUG is true)
    --tls-verify=false           reach registries without checking their certificates (and
                                 over plain HTTP); also `insecure_registries` in the config
    --cert-dir DIR               refused: a run may reach many registries, and a cert dir
                                 (a CA, a client certificate) is one registry's. Put each
                                 registry's ca.crt (and client.cert, client.key) in
                                 /etc/containers/certs.d/HOST:PORT/, where kiln looks

THE GITHUB CONTEXT
    Built as act builds it, from the repository in the current directory (git, run without a
    shell): github.sha (git rev-parse HEAD); github.ref (the branch, refs/heads/B; on a
    detached HEAD a tag pointing at it, refs/tags/T, else a branch pointing at it), ref_name
    and ref_type; repository and repository_owner from the remote's URL
    (https://HOST/OWNER/REPO(.git), git@HOST:OWNER/REPO, ssh://…). From the payload by event:
    pull_request → ref refs/pull/N/merge, head_ref and base_ref from pull_request.head.ref and
    .base.ref; push, create, workflow_dispatch → its ref (and `after`); release →
    release.tag_name. Outside a git repository (or without commits or the remote): sha of 40
    zeros, repository local/<dir name>, ref refs/heads/<default branch>; a repository git
    refuses (another user owns it: safe.directory) is named in a warning. run_id is kiln's id
    of the run; run_number and run_attempt are 1. The same values are the GITHUB_* variables
    of every step. kiln sets no ACT variable: it is not act (a step testing env.ACT sees it
    unset).

DEFAULTS FILES
    ~/.kilnrc, then ./.kilnrc, hold default flags, one a line, as act's .actrc:
        -P ubuntu-latest=debian:bookworm
        --var ENVIRONMENT=staging
        --secret-file ci.secrets
    A line is trimmed, $NAME and ${NAME} are expanded from the environment (in ~/.kilnrc
    only), and split at its first blank into the flag and its value (taken as is: quotes are
    not removed, as act); lines not starting with - (blank lines, # comments) are ignored.
    The command line comes after both, so its flags win (and repeated flags add up). A bad
    flag there is an error naming FILE:LINE.
    ~/.kilnrc is yours and may set any flag. ./.kilnrc comes with the repository, so it may
    set only flags that change what runs, never what your machine hands over: -P, --event,
    -W, -j, --var, --var-file, --input, --input-file, --env (taken literally), -a,
    --defaultbranch, --remote-name, --github-instance, --concurrent-jobs, --strict-labels,
    --action-cache and -v, their files inside the repository. Any other flag there (-s,
    --secret-file, --env-file, --config, --tls-verify, --bind, --cache-dir, ...) is an error
    naming FILE:LINE: put it in ~/.kilnrc or on the command line.

ACTIONS
    A step's `uses:` may name ./PATH (an action in the repository, relative to its root),
    OWNER/REPO[/PATH]@REF or docker://IMAGE; the form is checked when the workflow is read.
    An action (or called workflow) that leads out of the repository, or out of the action
    cache, through a symlink is an error naming the uses:.
    kiln looks for the action when the step runs: a few are built in (actions/checkout, …);
    other OWNER/REPO@REF actions must be copies under --action-cache DIR, e.g.
    `git clone --depth 1 --branch v1 https://github.com/o/r DIR/o/r@v1` (kiln downloads
    none). The action's action.yml (or action.yaml) says how it runs:
      composite    its steps run in the job's sandbox with their own steps context, the
                   `inputs` context and GITHUB_ACTION_PATH; `shell:` is required on `run`
                   steps; outputs are the action's `outputs.<id>.value` expressions; an
                   action that uses itself (directly or not) or nests more than 10 deep fails
      node12/16/20 `node MAIN` in the job's sandbox, with the image's node (an image
                   without node fails the step); `pre:` runs before the job's steps (if its
                   pre-if holds), `post:` after them, last first (if its post-if holds,
                   default always()), as steps named "Pre …" and "Post …"
      docker       a sandbox of its own from `image:` (docker://IMAGE, found as a job's
                   image is, -P mappings too; or a Dockerfile in the action's dir, built as
                   `kiln build` builds), on the job's network, with the workspace at
                   /github/workspace (its cwd), the job's home, temp and env, INPUT_*, and
                   `entrypoint`/`args` (args evaluated); pre-/post-entrypoint as pre/post.
                   `uses: docker://IMAGE` runs the same way with `with: {entrypoint, args}`
    Inputs are `with:` values (expressions evaluated when the step runs) and the defaults of
    inputs not given; JavaScript and Docker actions get them as INPUT_<NAME> (upper-cased,
    spaces as _). As on GitHub, an input not declared by the action is a warning annotation
    (GitHub's "Unexpected input(s) …"), and a required input not given only a warning. A
    `uses:` path may not hold "..". Actions' GITHUB_OUTPUT, GITHUB_ENV and workflow commands
    work as a `run:` step's.

BUILT-IN ACTIONS
    kiln runs these itself, whatever @ref is named (no download):
    actions/checkout     the local repository (the current directory). With no `ref` (or
                         the run's own github.ref) and no `path`, as act: the job's copy of
                         the working tree is the checkout, uncommitted changes included;
                         `clean` (default true) syncs it again from the working tree (undoing
                         what earlier steps changed; git-ignored files left out), false keeps
                         it; fetch-depth (default 1; 0 = all history and tags) makes the
                         copy's .git a clone of HEAD that deep. With a `ref` or a `path`
                         (inside the workspace): a git fetch of that ref (default: HEAD's
                         branch) with fetch-depth, without uncommitted changes, or a copy of
                         the files when it is not a git repository; `clean` empties the
                         target first. With --bind the workspace is the repository itself
                         and is left as it is. `repository` other than this one is an
                         error: kiln has no network checkout. Outputs ref, commit.
    actions/cache        (and cache/restore, cache/save) entries in --cache-dir, by key and
                         path list: the exact key, else each restore-keys prefix in order,
                         newest entry first. As on GitHub, entries belong to a repository
                         (its directory and github.repository) and a ref: a run restores its
                         own ref's, then the default branch's; never another repository's.
                         A path reached through a symlink out of the workspace and $HOME is
                         not saved. `path` lines may use * ? [..] and `**`, `~` and
                         /github/home (the job's $HOME), relative = the workspace; other
                         absolute paths are refused. Saved after the job's steps only when
                         the job succeeded and the key was not an exact hit. Outputs
                         cache-hit (true only on an exact key), cache-matched-key.
                         lookup-only, fail-on-cache-miss, save-always honoured;
                         enableCrossOsArchive and upload-chunk-size ignored.
    actions/upload-artifact, actions/download-artifact
                         artifacts shared by the jobs of one run (--artifact-server-path).
                         upload: name (default "artifact"), path lines with globs and !
                         excludes, stored relative to their common ancestor as GitHub does;
                         if-no-files-found (warn, error, ignore); @v4 leaves out hidden
                         files (a path part starting with .) unless include-hidden-files:
                         true, and a name used twice in a run is an error unless
                         overwrite: true (@v3 adds to it). Symlinks (last or on the way)
                         are followed only to files inside the workspace or $HOME.
                         download: name (one), or all (each in PATH/NAME, or merged with
                         merge-multiple; filtered by pattern); run-id reads an earlier run's
                         (with --artifact-server-path); output download-path. It writes
                         through no symlink (one in PATH is an error) and replaces files.
                         retention-days, compression-level ignored.

REUSABLE WORKFLOWS
    A job with `uses: ./.github/workflows/X.yml` (no runs-on, no steps) runs that workflow's
    jobs, shown as CALLER/JOB; X.yml must have `on: workflow_call`. OWNER/REPO/PATH@REF is
    read from --action-cache DIR/OWNER/REPO@REF/PATH (kiln downloads nothing). `with:` gives
    its inputs (typed per on.workflow_call.inputs: unknown or missing required inputs are
    errors before anything runs), `secrets:` a map (only those reach it) or `inherit`. The
    called jobs wait for the caller's needs and run only if the caller's `if` holds; they see
    the caller's event. The caller's result is theirs (failure if one failed), and its outputs
    are on.workflow_call.outputs (over the `jobs` context), as needs.CALLER.outputs.NAME.
    `strategy.matrix` on the caller runs the workflow once per combination. Calls nest up to
    4 levels (the top workflow included); a cycle is an error.

SECRETS
    Secrets come from ./.secrets (or --secret-file) and -s; every one is masked. Values of
    .env, --env and vars are not secrets and are shown as they are. A secret's value, each
    line of a multi-line one (empty lines aside), and every value a step masks with
    ::add-mask:: are shown as *** everywhere kiln writes: step output, step names (a default
    "Run <script>" name shows the script as written), line prefixes, result lines, errors,
    the summary and --json. Values reach a step only through its environment and script; kiln passes the
    environment over the sandbox agent's socket (never in a command line), writes the script
    0700 in the job's 0700 scratch dir and removes it when the step ends. With `persist-env:`
    an env variable whose value contains a secret or masked value is left out of the image
    (the job log names it). Masking is textual: a step that prints a secret transformed
    (base64, split, reversed) is not masked.

EXPRESSIONS AND WORKFLOW COMMANDS
    Every ${{ }} (and every bare `if:`) is checked when the workflow is read, before any
    job runs: a syntax error, an unknown function, a wrong number of arguments or a context
    the key does not offer (GitHub's context availability table) is an error naming
    FILE:LINE:COLUMN. hashFiles(PATTERN, ...) hashes the workspace's matching files as
    GitHub does (`**`, `*`, `?`, `!` exclusions; "" when nothing matches).
    case(PRED1, VALUE1, PRED2, VALUE2, ..., DEFAULT) is the value of the first true predicate,
    else DEFAULT (an odd number of arguments, at least 3). With workflow_dispatch,
    github.event.inputs holds every declared input as a string, defaults included.
    A step's ::error::, ::warning:: and ::notice:: (file=, line=, col=, title=) are printed
    ("❗ error FILE:LINE: MESSAGE"), listed after the summary and in --json; they do not fail
    the step. ::group::TITLE prints "▶ TITLE" and indents the lines up to ::endgroup::.
    ::debug:: lines are shown with --verbose. ::set-output:: and ::save-state:: work with
    GitHub's deprecation warning; ::set-env:: and ::add-path:: fail the step unless
    ACTIONS_ALLOW_UNSECURE_COMMANDS is true. ::stop-commands::TOKEN stops commands up to
    ::TOKEN::. What steps write to $GITHUB_STEP_SUMMARY (at most 1 MiB a step) is printed at
    the end of the job ("📝 Job summary") and kept in --json; $GITHUB_STATE values reach the
    post step of the same action as STATE_<name>. All of it is masked like any other line.

CANCELLING
    Ctrl-C (SIGINT) or SIGTERM cancels the run as GitHub cancels one: the running step gets
    SIGINT, then SIGTERM 7.5 s later, then SIGKILL 2.5 s after that; it ends `cancelled`.
    Later steps run only if their `if:` holds (always(), cancelled()); no further job starts;
    a cancelled job makes no snapshot. A second Ctrl-C stops those clean-up steps too; a
    fourth ends kiln at once (the next kiln start sweeps what it left).
    `timeout-minutes:` is enforced the same way: a step over its limit is stopped and fails;
    a job over its limit is cancelled.

EXIT STATUS
    0 all jobs succeeded; 1 a job failed or the run was cancelled; 2 the workflow or the
    command line is invalid.

EXAMPLES
    kiln run -l
    kiln run pull_request -e pr.json -n
    kiln run workflow_dispatch -W .github/workflows/release.yml --input version=1.2.3
    kiln run -P ubuntu-latest=debian:bookworm
    API_TOKEN=$(pass show ci/token) kiln run -s API_TOKEN --secret-file .secrets
    kiln run .github/workflows/ci.yml --job build --json
)";

}  // namespace kiln::cli
