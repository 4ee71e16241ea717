#!/usr/bin/env bash
# Builds (or finds) the toolchain of the e2e suite and caches it by version.
#
#   test/e2e/toolchain/build.sh [all|tofu|kube|etcd|env|status|prune]...
#
#   tofu       OpenTofu CLI, built from its Go module
#   kube       kube-apiserver, kube-controller-manager, kubectl, built from k8s.io/kubernetes
#   etcd       etcd: Debian's etcd-server if it fits, otherwise built from go.etcd.io/etcd/server/v3
#   providers  the stand-in for the Terraform providers (test/e2e/providers, our own code),
#              cached by the hash of its sources
#   gitserver  the SSH git server of the GitOps tests (test/e2e/gitserver, our own code)
#   registry   the OCI registry of the OCI bootstrap test (test/e2e/oci-registry, our own code)
#   flux       source-, kustomize-, helm- and notification-controller and the flux CLI, built from
#              their Go modules
#   all        all of the above (default)
#
# The Terraform providers (hashicorp/kubernetes 2.38.0, integrations/github 6.9.0,
# hashicorp/tls 4.1.0) are not here: the Go module proxy refuses every version of their
# modules, and no other reachable registry ships them (README.md beside this file).
#   env        print `export NAME=path` lines for what is already cached (builds nothing)
#   status     print what is cached and what is missing (builds nothing)
#   prune      delete the Go module and build caches under $CACHE/go (binaries stay)
#
# Everything lands under ${CDKTF_FLUX_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdktf-flux-e2e}, one directory per
# component and version; a component whose stamp file exists is not built again.
# See README.md beside this file for the layout, the variables and the measured timings.
set -euo pipefail

CACHE="${CDKTF_FLUX_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdktf-flux-e2e}"
TOFU_VERSION="${CDKTF_FLUX_E2E_TOFU_VERSION:-1.10.10}"
KUBE_VERSION="${CDKTF_FLUX_E2E_KUBE_VERSION:-1.34.4}"
ETCD_VERSION="${CDKTF_FLUX_E2E_ETCD_VERSION:-3.6.16}"   # used when etcd is built from Go
# auto: an etcd >= ETCD_MIN on PATH, else Debian's etcd-server (apt, when root), else build from Go
ETCD_SOURCE="${CDKTF_FLUX_E2E_ETCD_SOURCE:-auto}"       # auto | system | apt | go
ETCD_MIN="${CDKTF_FLUX_E2E_ETCD_MIN:-3.4.0}"
# ---------------------------------------------------------------------------------------------
# Go environment: everything the go command downloads or caches stays under $CACHE.
export GOTOOLCHAIN=local
if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then export PATH="/usr/local/go/bin:$PATH"; fi
export GOMODCACHE="${CDKTF_FLUX_E2E_GOMODCACHE:-$CACHE/go/mod}"
export GOCACHE="${CDKTF_FLUX_E2E_GOCACHE:-$CACHE/go/build}"
export GOFLAGS="-trimpath -buildvcs=false -mod=mod"
export GOMAXPROCS="${GOMAXPROCS:-2}"
export CGO_ENABLED=0
export GOWORK=off
# Only the module proxy: no fallback to VCS (it cannot be reached and only hides the real error).
_goproxy="${GOPROXY:-$(go env GOPROXY 2>/dev/null || true)}"
_goproxy="${_goproxy%,direct}"; _goproxy="${_goproxy%|direct}"
export GOPROXY="${_goproxy:-off}"
GO_P="${CDKTF_FLUX_E2E_GO_P:-2}"

START_ALL=$(date +%s)
# Wrapper modules are built in temp dirs removed on exit (CDKTF_FLUX_E2E_KEEP_WORK=1 keeps them).
workdir() { mktemp -d "${TMPDIR:-/tmp}/cdktf-flux-e2e-$$.XXXXXX"; }
cleanup() { [[ "${CDKTF_FLUX_E2E_KEEP_WORK:-0}" == 1 ]] || rm -rf "${TMPDIR:-/tmp}"/cdktf-flux-e2e-$$.*; }
trap cleanup EXIT
log()  { printf '[toolchain %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die()  { log "ERROR: $*"; exit 1; }
secs() { echo $(( $(date +%s) - $1 )); }

need_go() {
  command -v go >/dev/null || die "go is not on PATH (expected Go >= 1.24 at /usr/local/go/bin)"
  command -v jq >/dev/null || die "jq is needed (apt-get install -y jq)"
}

# Runs a long command with its output in $CACHE/logs/<label>.log and a progress line every 60 s;
# on failure the end of the log is shown. CDKTF_FLUX_E2E_VERBOSE=1 shows all output instead.
run_with_ticker() {
  local label="$1"; shift
  local t0; t0=$(date +%s)
  local logf="$CACHE/logs/${label//[^A-Za-z0-9._-]/_}.log"
  mkdir -p "$CACHE/logs"
  # (sleep must not hold our stdout/stderr: a pipe reading them would wait for it)
  # (nor the build lock on fd 9: a sleep left over after the ticker is killed would hold it)
  ( while sleep 60 >/dev/null 2>&1; do log "  ... $label still running ($(secs "$t0") s)"; done ) 9>&- &
  local ticker=$!
  local rc=0
  if [[ "${CDKTF_FLUX_E2E_VERBOSE:-0}" == 1 ]]; then
    "$@" || rc=$?
  else
    "$@" >"$logf" 2>&1 || rc=$?
  fi
  kill "$ticker" 2>/dev/null || true
  wait "$ticker" 2>/dev/null || true
  if (( rc != 0 )) && [[ "${CDKTF_FLUX_E2E_VERBOSE:-0}" != 1 ]]; then
    log "$label failed (exit $rc); last lines of $logf:"
    tail -n 40 "$logf" >&2
  fi
  return "$rc"
}

# Make $1 (a fresh directory) a wrapper module that requires $2@$3 and repeats the replace and
# godebug directives of $2's go.mod. A replace to a local directory (./staging/src/k8s.io/api)
# becomes a replace to the same module path at version $4 (e.g. k8s.io/api v0.34.4).
make_wrapper_module() {
  local dir="$1" mod="$2" ver="$3" local_ver="$4"
  local info gomod gover
  info=$(cd "$dir" && go mod download -json "$mod@$ver") || {
    echo "$info" | jq -r '.Error // empty' >&2 2>/dev/null || true
    return 1
  }
  gomod=$(echo "$info" | jq -r .GoMod)
  gover=$(go mod edit -json "$gomod" | jq -r '.Go // "1.24"')
  (
    cd "$dir"
    printf 'module cdktf-flux-e2e/toolchain/wrapper\n\ngo %s\n' "$gover" > go.mod
    go mod edit -require="$mod@$ver"
    go mod edit -json "$gomod" | jq -r '.GoDebug[]? | "\(.Key)=\(.Value)"' | while read -r kv; do
      go mod edit -godebug="$kv"
    done
    # Local replacements only for modules upstream requires (etcd also points unwanted modules
    # at ./FORBIDDEN_DEPENDENCY; those are left out).
    go mod edit -json "$gomod" | jq -r '([.Require[]?.Path]) as $req | .Replace[]?
        | [.Old.Path, (.Old.Version // ""), .New.Path, (.New.Version // ""), (if (.Old.Path | IN($req[])) then "req" else "" end)]
        | join("|")' |
      while IFS='|' read -r op ov np nv isreq; do
        old="$op${ov:+@$ov}"
        if [[ -z "$nv" ]]; then       # local directory replacement inside the upstream repo
          if [[ "$isreq" == req ]]; then go mod edit -replace="$old=$op@$local_ver"; fi
        else
          go mod edit -replace="$old=$np@$nv"
        fi
      done
  )
}

# Write tools.go importing the given packages and resolve the module graph.
wrapper_tidy() {
  local dir="$1"; shift
  {
    echo '//go:build tools'
    echo
    echo 'package tools'
    echo
    echo 'import ('
    local p; for p in "$@"; do echo "	_ \"$p\""; done
    echo ')'
  } > "$dir/tools.go"
  # -e: a test-only dependency the proxy does not serve must not stop the build of the binaries.
  (cd "$dir" && go mod tidy -e)
}

# $CACHE/bin holds symlinks to the versions this script was last run for (handy for PATH).
link_bin() {  # target name
  mkdir -p "$CACHE/bin"
  ln -sfn "$1" "$CACHE/bin/$2"
}

install_atomic() {  # src dst
  mkdir -p "$(dirname "$2")"
  cp "$1" "$2.tmp.$$" && chmod 0755 "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"
}

version_ge() {  # a >= b (dotted numbers)
  [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" == "$2" ]]
}

# ---------------------------------------------------------------------------------------------
TOFU_DIR="$CACHE/tofu/v$TOFU_VERSION"
build_tofu() {
  if [[ -f "$TOFU_DIR/.complete" && -x "$TOFU_DIR/tofu" ]]; then
    link_bin "$TOFU_DIR/tofu" tofu
    log "tofu v$TOFU_VERSION: cached at $TOFU_DIR/tofu"; return 0
  fi
  need_go
  local t0 work; t0=$(date +%s); work=$(workdir)
  log "tofu v$TOFU_VERSION: resolving github.com/opentofu/opentofu@v$TOFU_VERSION"
  make_wrapper_module "$work" github.com/opentofu/opentofu "v$TOFU_VERSION" "v$TOFU_VERSION"
  run_with_ticker "tofu: go mod tidy" wrapper_tidy "$work" github.com/opentofu/opentofu/cmd/tofu
  log "tofu v$TOFU_VERSION: building (~3 min on 2 cores)"
  (cd "$work" && run_with_ticker "tofu: go build" \
    go build -p "$GO_P" -ldflags="-s -w -X github.com/opentofu/opentofu/version.dev=no" \
      -o "$work/tofu" github.com/opentofu/opentofu/cmd/tofu)
  install_atomic "$work/tofu" "$TOFU_DIR/tofu"
  TF_CLI_CONFIG_FILE=/dev/null "$TOFU_DIR/tofu" version | head -1 >&2
  rm -rf "$work"
  echo "built $(date -u +%FT%TZ) in $(secs "$t0") s" > "$TOFU_DIR/.complete"
  link_bin "$TOFU_DIR/tofu" tofu
  log "tofu v$TOFU_VERSION: done in $(secs "$t0") s -> $TOFU_DIR/tofu ($(du -h "$TOFU_DIR/tofu" | cut -f1))"
}

# ---------------------------------------------------------------------------------------------
KUBE_DIR="$CACHE/kube/v$KUBE_VERSION"
KUBE_CMDS=(kube-apiserver kube-controller-manager kubectl)
build_kube() {
  local c ok=1
  for c in "${KUBE_CMDS[@]}"; do [[ -x "$KUBE_DIR/$c" ]] || ok=0; done
  if [[ -f "$KUBE_DIR/.complete" && $ok == 1 ]]; then
    for c in "${KUBE_CMDS[@]}"; do link_bin "$KUBE_DIR/$c" "$c"; done
    log "kube v$KUBE_VERSION: cached in $KUBE_DIR"; return 0
  fi
  need_go
  local t0 work staging major minor build_date; t0=$(date +%s); work=$(workdir)
  staging="v0.${KUBE_VERSION#*.}"                  # 1.34.4 -> v0.34.4
  major="${KUBE_VERSION%%.*}"; minor="${KUBE_VERSION#*.}"; minor="${minor%%.*}"
  log "kube v$KUBE_VERSION: resolving k8s.io/kubernetes@v$KUBE_VERSION (staging modules at $staging)"
  make_wrapper_module "$work" k8s.io/kubernetes "v$KUBE_VERSION" "$staging"
  build_date=$(cd "$work" && go list -m -json "k8s.io/kubernetes@v$KUBE_VERSION" | jq -r '.Time // empty')
  build_date="${build_date:-1970-01-01T00:00:00Z}"
  local pkgs=() ; for c in "${KUBE_CMDS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  log "kube v$KUBE_VERSION: downloading dependencies (go mod tidy)"
  run_with_ticker "kube: go mod tidy" wrapper_tidy "$work" "${pkgs[@]}"
  local ld="-s -w" p
  for p in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ld+=" -X $p.gitVersion=v$KUBE_VERSION -X $p.gitMajor=$major -X $p.gitMinor=$minor"
    ld+=" -X $p.gitTreeState=clean -X $p.buildDate=$build_date"
  done
  for c in "${KUBE_CMDS[@]}"; do
    local t1; t1=$(date +%s)
    log "kube v$KUBE_VERSION: building $c$([[ $c == "${KUBE_CMDS[0]}" ]] && echo ' (the longest: ~3-5 min on 2 cores)')"
    (cd "$work" && run_with_ticker "kube: go build $c" \
      go build -p "$GO_P" -tags "selinux,notest,grpcnotrace" -ldflags="$ld" -o "$work/$c" "k8s.io/kubernetes/cmd/$c")
    install_atomic "$work/$c" "$KUBE_DIR/$c"
    log "kube v$KUBE_VERSION: $c built in $(secs "$t1") s ($(du -h "$KUBE_DIR/$c" | cut -f1))"
  done
  "$KUBE_DIR/kubectl" version --client >&2
  rm -rf "$work"
  echo "built $(date -u +%FT%TZ) in $(secs "$t0") s" > "$KUBE_DIR/.complete"
  for c in "${KUBE_CMDS[@]}"; do link_bin "$KUBE_DIR/$c" "$c"; done
  log "kube v$KUBE_VERSION: done in $(secs "$t0") s -> $KUBE_DIR"
}

# ---------------------------------------------------------------------------------------------
ETCD_LINK_DIR="$CACHE/etcd"
etcd_version_of() {  # prints x.y.z of an etcd binary
  "$1" --version 2>/dev/null | sed -n 's/^etcd Version: *\([0-9][0-9.]*\).*/\1/p' | head -1
}
use_etcd() {  # path origin
  local v; v=$(etcd_version_of "$1")
  mkdir -p "$ETCD_LINK_DIR"
  ln -sfn "$1" "$ETCD_LINK_DIR/etcd"
  echo "$2 etcd $v at $1" > "$ETCD_LINK_DIR/.complete"
  link_bin "$1" etcd
  log "etcd: using $2 etcd $v ($1) -> $ETCD_LINK_DIR/etcd"
}
build_etcd() {
  if [[ -f "$ETCD_LINK_DIR/.complete" && -x "$ETCD_LINK_DIR/etcd" ]]; then
    local origin; origin=$(cut -d' ' -f1 "$ETCD_LINK_DIR/.complete")
    if [[ "$ETCD_SOURCE" == auto || "$ETCD_SOURCE" == "$origin" || ( "$ETCD_SOURCE" == go && "$origin" == go-built ) ]]; then
      link_bin "$(readlink "$ETCD_LINK_DIR/etcd")" etcd
      log "etcd: cached: $(cat "$ETCD_LINK_DIR/.complete")"; return 0
    fi
  fi
  local cand v
  [[ "$ETCD_SOURCE" == go ]] && { build_etcd_go; return; }
  if [[ "$ETCD_SOURCE" == auto || "$ETCD_SOURCE" == system ]]; then
    for cand in "$(command -v etcd || true)" /usr/bin/etcd; do
      [[ -n "$cand" && -x "$cand" ]] || continue
      v=$(etcd_version_of "$cand")
      if [[ -n "$v" ]] && version_ge "$v" "$ETCD_MIN"; then use_etcd "$cand" system; return 0; fi
    done
    [[ "$ETCD_SOURCE" == system ]] && die "etcd: no etcd >= $ETCD_MIN on PATH"
  fi
  if [[ "$ETCD_SOURCE" == auto || "$ETCD_SOURCE" == apt ]] && [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    local cv
    cv=$(apt-cache policy etcd-server 2>/dev/null | sed -n 's/^ *Candidate: *\([0-9][0-9.]*\).*/\1/p')
    if [[ -z "$cv" ]]; then
      log "etcd: no apt candidate yet, running apt-get update"
      apt-get update -qq >&2 || true
      cv=$(apt-cache policy etcd-server 2>/dev/null | sed -n 's/^ *Candidate: *\([0-9][0-9.]*\).*/\1/p')
    fi
    if [[ -n "$cv" ]] && version_ge "$cv" "$ETCD_MIN"; then
      log "etcd: installing Debian etcd-server $cv"
      local t0; t0=$(date +%s)
      # Install without starting the packaged service (policy-rc.d 101 = action forbidden).
      local prc=/usr/sbin/policy-rc.d had_prc=0
      [[ -e $prc ]] && had_prc=1
      [[ $had_prc == 1 ]] || { printf '#!/bin/sh\nexit 101\n' > $prc; chmod 0755 $prc; }
      DEBIAN_FRONTEND=noninteractive run_with_ticker "etcd: apt-get install" \
        apt-get install -y -qq --no-install-recommends etcd-server || true
      [[ $had_prc == 1 ]] || rm -f $prc
      if [[ -x /usr/bin/etcd ]]; then
        log "etcd: apt install took $(secs "$t0") s"
        use_etcd /usr/bin/etcd apt; return 0
      fi
      log "etcd: apt install failed"
    else
      log "etcd: Debian candidate '${cv:-none}' is not >= $ETCD_MIN"
    fi
    [[ "$ETCD_SOURCE" == apt ]] && die "etcd: apt route failed"
  fi
  build_etcd_go
}
build_etcd_go() {
  local dir="$CACHE/etcd/v$ETCD_VERSION"
  if [[ -f "$dir/.complete" && -x "$dir/etcd" ]]; then
    use_etcd "$dir/etcd" go-built; return 0
  fi
  need_go
  local t0 work; t0=$(date +%s); work=$(workdir)
  log "etcd v$ETCD_VERSION: resolving go.etcd.io/etcd/server/v3@v$ETCD_VERSION"
  make_wrapper_module "$work" go.etcd.io/etcd/server/v3 "v$ETCD_VERSION" "v$ETCD_VERSION"
  run_with_ticker "etcd: go mod tidy" wrapper_tidy "$work" go.etcd.io/etcd/server/v3
  log "etcd v$ETCD_VERSION: building"
  (cd "$work" && run_with_ticker "etcd: go build" \
    go build -p "$GO_P" -ldflags="-s -w" -o "$work/etcd" go.etcd.io/etcd/server/v3)
  install_atomic "$work/etcd" "$dir/etcd"
  rm -rf "$work"
  echo "built $(date -u +%FT%TZ) in $(secs "$t0") s" > "$dir/.complete"
  log "etcd v$ETCD_VERSION: built in $(secs "$t0") s ($(du -h "$dir/etcd" | cut -f1))"
  use_etcd "$dir/etcd" go-built
}

# ---------------------------------------------------------------------------------------------
# Our own Go modules (the providers' stand-in, the SSH git server): cached by the hash of their
# sources, so a change to them rebuilds them.
E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_own() {  # binary-name source-folder
  local name="$1" src="$E2E_DIR/$2" hash dir
  hash=$(cd "$src" && cat go.mod go.sum *.go | sha256sum | cut -c1-16)
  dir="$CACHE/$name/$hash"
  if [[ -f "$dir/.complete" && -x "$dir/$name" ]]; then
    link_bin "$dir/$name" "$name"
    log "$name: cached at $dir"; return 0
  fi
  need_go
  local t0; t0=$(date +%s)
  mkdir -p "$dir"
  log "$name: building from $src"
  (cd "$src" && GOFLAGS="-trimpath -buildvcs=false -mod=readonly" run_with_ticker "$name: go build" \
    go build -p "$GO_P" -ldflags="-s -w" -o "$dir/$name.tmp" .)
  mv -f "$dir/$name.tmp" "$dir/$name"
  echo "built $(date -u +%FT%TZ) in $(secs "$t0") s" > "$dir/.complete"
  link_bin "$dir/$name" "$name"
  log "$name: built in $(secs "$t0") s"
}
build_providers() { build_own terraform-provider-stand-in providers; }
build_gitserver() { build_own git-ssh-server gitserver; }
build_registry() { build_own oci-registry oci-registry; }

# ---------------------------------------------------------------------------------------------
# Flux's source-, kustomize-, helm- and notification-controller, at the versions the manifests'
# images name.
# Some of their dependencies' exact versions are not served; the nearest served version of the
# same minor replaces them (CDKTF_FLUX_E2E_FLUX_REPLACE, module=version, space-separated).
# name@version of each controller to build: the images of v2.9.4's manifests, and of v2.8.8's.
# kustomize-controller v1.8.5 (Flux v2.8.8) is not served, nor any v1.8.x: v1.9.0 stands in.
# helm-controller v1.6.3 is v2.9.4's (only the Helm e2e file runs it).
# notification-controller v1.9.3 is v2.9.4's (only the Alert e2e file runs it). No v1.8.x is served
# (v2.8.8 names v1.8.4), v1.9.0 fails checksum verification and v1.9.1 is refused: v1.9.2 (v2.9.3's)
# stands in for v2.8.8.
FLUX_CONTROLLERS="${CDKTF_FLUX_E2E_FLUX_CONTROLLERS:-source-controller@1.9.4 kustomize-controller@1.9.4 source-controller@1.8.5 kustomize-controller@1.9.0 helm-controller@1.6.3 notification-controller@1.9.3 notification-controller@1.9.2}"
FLUX_CLI_VERSION="${CDKTF_FLUX_E2E_FLUX_CLI_VERSION:-2.9.4}"
# Dependencies whose exact version is not served, replaced by the nearest served one of the same
# minor: <command>@<version>:<module>=<version>, space-separated.
# helm-controller v1.6.3 builds against Flux's fork of Helm (helm.sh/helm/v4 replaced by
# github.com/fluxcd/helm/v4 v4.2.4-flux.1), of which no version is served: Helm v4.2.4 itself
# replaces it, as helm-controller's own v1.6 branch did after v1.6.3 (v4.2.4 has the fix the fork
# carried).
FLUX_REPLACE="${CDKTF_FLUX_E2E_FLUX_REPLACE:-source-controller@1.9.4:github.com/fluxcd/pkg/artifact=v0.18.0 source-controller@1.8.5:github.com/fluxcd/pkg/artifact=v0.8.0 helm-controller@1.6.3:helm.sh/helm/v4=v4.2.4}"
build_go_command() {  # name module version package
  local name="$1" mod="$2" ver="$3" pkg="$4"
  local dir="$CACHE/$name/v$ver"
  if [[ -f "$dir/.complete" && -x "$dir/$name" ]]; then
    log "$name v$ver: cached at $dir/$name"; return 0
  fi
  need_go
  local t0 work r; t0=$(date +%s); work=$(workdir)
  log "$name v$ver: resolving $mod@v$ver"
  make_wrapper_module "$work" "$mod" "v$ver" "v$ver"
  for r in $FLUX_REPLACE; do
    [[ "${r%%:*}" == "$name@$ver" ]] || continue
    r="${r#*:}"
    log "$name v$ver: ${r%%=*} ${r#*=} (the version it requires is not served)"
    (cd "$work" && go mod edit -replace="${r%%=*}=${r%%=*}@${r#*=}")
  done
  if [[ "$name" == flux ]]; then
    # The CLI embeds cmd/flux/manifests/*.yaml, which its release build generates and the module
    # does not ship; they serve only install and bootstrap, which the tests never run. The module
    # is built from a copy with an empty one (so `flux install` of this build installs nothing).
    cp -r "$GOMODCACHE/$mod@v$ver" "$work/module" && chmod -R u+w "$work/module"
    mkdir -p "$work/module/cmd/flux/manifests"
    echo '# not generated: this build serves get, tree and reconcile, not install' > "$work/module/cmd/flux/manifests/empty.yaml"
    (cd "$work" && go mod edit -replace="$mod=./module")
  fi
  run_with_ticker "$name-$ver: go mod tidy" wrapper_tidy "$work" "$pkg"
  log "$name v$ver: building"
  (cd "$work" && run_with_ticker "$name-$ver: go build" go build -p "$GO_P" -ldflags="-s -w" -o "$work/$name" "$pkg")
  install_atomic "$work/$name" "$dir/$name"
  rm -rf "$work"
  echo "built $(date -u +%FT%TZ) in $(secs "$t0") s" > "$dir/.complete"
  log "$name v$ver: built in $(secs "$t0") s ($(du -h "$dir/$name" | cut -f1))"
}
build_flux() {
  local c
  for c in $FLUX_CONTROLLERS; do
    build_go_command "${c%@*}" "github.com/fluxcd/${c%@*}" "${c#*@}" "github.com/fluxcd/${c%@*}"
  done
  build_go_command flux github.com/fluxcd/flux2/v2 "$FLUX_CLI_VERSION" github.com/fluxcd/flux2/v2/cmd/flux
}

# ---------------------------------------------------------------------------------------------
print_env() {
  local c
  [[ -x "$TOFU_DIR/tofu" ]] && echo "export CDKTF_FLUX_E2E_TOFU=$TOFU_DIR/tofu"
  for c in "${KUBE_CMDS[@]}"; do
    local var="CDKTF_FLUX_E2E_${c//-/_}"; var="${var^^}"
    [[ -x "$KUBE_DIR/$c" ]] && echo "export $var=$KUBE_DIR/$c"
  done
  [[ -x "$ETCD_LINK_DIR/etcd" ]] && echo "export CDKTF_FLUX_E2E_ETCD=$ETCD_LINK_DIR/etcd"
  return 0
}
print_status() {
  echo "cache: $CACHE ($(du -sh "$CACHE" 2>/dev/null | cut -f1 || echo empty))"
  echo "tofu v$TOFU_VERSION:  $([[ -f $TOFU_DIR/.complete ]] && echo "ok $TOFU_DIR/tofu" || echo missing)"
  echo "kube v$KUBE_VERSION:  $([[ -f $KUBE_DIR/.complete ]] && echo "ok $KUBE_DIR/{${KUBE_CMDS[*]}}" || echo missing)"
  echo "etcd:          $([[ -f $ETCD_LINK_DIR/.complete ]] && cat "$ETCD_LINK_DIR/.complete" || echo missing)"
}

# One lock per component, so that two runs never build the same thing at once.
lock() {
  exec 9>"$CACHE/.lock-$1"
  if command -v flock >/dev/null; then
    flock -n 9 || { log "$1: another build.sh is building it; waiting for its lock"; flock 9; }
  fi
}

main() {
  local targets=("$@"); (( ${#targets[@]} )) || targets=(all)
  local t rc=0
  for t in "${targets[@]}"; do
    case "$t" in
      env) print_env; return 0 ;;
      status) print_status; return 0 ;;
      prune)
        if [[ -d "$CACHE/go" ]]; then
          log "prune: removing $CACHE/go ($(du -sh "$CACHE/go" | cut -f1))"
          chmod -R u+w "$CACHE/go" && rm -rf "$CACHE/go"
        fi
        return 0 ;;
      tofu|kube|etcd|providers|gitserver|registry|flux|all) ;;
      -h|--help|help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; return 0 ;;
      *) die "unknown target '$t' (all|tofu|kube|etcd|providers|gitserver|registry|flux|env|status|prune)" ;;
    esac
  done
  mkdir -p "$CACHE"
  for t in "${targets[@]}"; do
    case "$t" in
      tofu) lock tofu; build_tofu ;;
      kube) lock kube; build_kube ;;
      etcd) lock etcd; build_etcd ;;
      providers) lock providers; build_providers ;;
      flux) lock flux; build_flux ;;
      gitserver) lock gitserver; build_gitserver ;;
      registry) lock registry; build_registry ;;
      all) lock tofu; build_tofu; lock kube; build_kube; lock etcd; build_etcd; lock providers; build_providers
           lock gitserver; build_gitserver; lock registry; build_registry; lock flux; build_flux ;;
    esac
  done
  log "finished in $(secs "$START_ALL") s (exit $rc)"
  return "$rc"
}
main "$@"; exit $?
