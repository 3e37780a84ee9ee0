#!/usr/bin/env bash
# Makes the tools the project needs available in .tools/bin.
#
#   scripts/tools.sh ensure [TOOL...]   make every tool (or the ones named) available
#   scripts/tools.sh path TOOL          print the absolute path of TOOL, making it available first
#   scripts/tools.sh source NAME        print the directory of a pinned Go module's files (CRDs, stages)
#   scripts/tools.sh list               print each tool, its pinned version and where it is found
#
# Go tools: a binary already on PATH wins; else a pinned build in .tools/bin; else it is built
# with `go build` from the pinned module version. Without Go, a clear message says what to install.
# The Kubernetes control plane for tests (kube-apiserver, kube-controller-manager, kube-scheduler,
# kubectl, etcd, kwok): always the pinned build in .tools/bin, never one found on PATH. A kubectl
# or etcd on PATH may be any version, and tests need exactly the Kubernetes release the chart
# targets, with components of one release that are known to work together. They are built from
# the wrapper modules in tools/kube-tools (their go.mod and go.sum pin every dependency; see its
# README), the tools of one module in one `go build`, the modules in parallel.
# Python tools: always the pinned version, installed with pip into a virtual environment of their
# own, .tools/venv/<tool>, from an exact requirements file and linked into .tools/bin (a same-named program
# on PATH may be something else entirely: `st` is also a terminal emulator).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin_dir="$root/.tools/bin"
build_dir="$root/.tools/build"
venv_root="$root/.tools/venv"

# tool -> "module version package-path-inside-module", or "local - directory" for a tool kept in
# this repository (its go.mod and go.sum pin its dependencies), or "pypi:DISTRIBUTION version
# requirements-file" for a Python tool (the file pins it and every dependency exactly), or
# "wrapper:DIRECTORY version package" for a tool built from a wrapper module in this repository:
# DIRECTORY's go.mod requires the package's module at exactly that version (checked before
# building; change both together, see tools/kube-tools/README.md).
declare -A TOOLS=(
  [helm]="helm.sh/helm/v3 v3.19.5 cmd/helm"
  [ferretdb]="github.com/FerretDB/FerretDB v1.24.2 cmd/ferretdb"
  [kube-score]="github.com/zegl/kube-score v1.20.0 cmd/kube-score"
  [actionlint]="github.com/rhysd/actionlint v1.7.12 cmd/actionlint"
  [promtool]="github.com/prometheus/prometheus v0.316.0 cmd/promtool"
  [compose-check]="local - tools/compose-check"
  [st]="pypi:schemathesis 4.32.5 tools/hostile-input/requirements.txt"
  [zizmor]="pypi:zizmor 1.32.0 tools/workflows/requirements.txt"
  [kube-apiserver]="wrapper:tools/kube-tools/kubernetes v1.34.12 k8s.io/kubernetes/cmd/kube-apiserver"
  [kube-controller-manager]="wrapper:tools/kube-tools/kubernetes v1.34.12 k8s.io/kubernetes/cmd/kube-controller-manager"
  [kube-scheduler]="wrapper:tools/kube-tools/kubernetes v1.34.12 k8s.io/kubernetes/cmd/kube-scheduler"
  [kubectl]="wrapper:tools/kube-tools/kubernetes v1.34.12 k8s.io/kubernetes/cmd/kubectl"
  [etcd]="wrapper:tools/kube-tools/etcd v3.6.16 go.etcd.io/etcd/server/v3"
  [kwok]="wrapper:tools/kube-tools/kwok v0.8.0 sigs.k8s.io/kwok/cmd/kwok"
)

# Go modules whose files the tests and `npm run cluster` read in place from the module cache,
# never copied into the repository: kwok's node and pod stages, the CRDs of the kinds the chart
# renders (ServiceMonitor and PrometheusRule from the operator kube-prometheus-stack 77 ships;
# SecurityGroupPolicy from the VPC resource controller). `scripts/tools.sh source NAME` prints the
# module's directory, downloading it first.
declare -A SOURCES=(
  [kwok]="sigs.k8s.io/kwok v0.8.0"
  [prometheus-operator]="github.com/prometheus-operator/prometheus-operator v0.85.0"
  [vpc-resource-controller]="github.com/aws/amazon-vpc-resource-controller-k8s v1.8.2"
)

# Link-time settings upstream's release builds pass, where a plain `go build` would differ:
# helm reports its version, and renders for Kubernetes 1.34 (the client library it is built
# with) instead of its 1.20 fallback, which would fail charts requiring a newer kubeVersion.
# actionlint reports its version as its release builds do, instead of "(devel)".
declare -A TOOL_LDFLAGS=(
  [actionlint]="-X github.com/rhysd/actionlint.version=1.7.12"
  [helm]="-X helm.sh/helm/v3/internal/version.version=v3.19.5 -X helm.sh/helm/v3/internal/version.gitTreeState=clean -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=34 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=34"
)

# Build tags and link-time settings of upstream's release builds, for each wrapper module; in the
# link-time settings @VERSION@, @MAJOR@, @MINOR@ and @DATE@ (the release commit's time, as the
# module proxy reports it) are filled in from the pinned version at build time. Kubernetes must
# be told its version, or every binary reports v0.0.0 (and a chart's kubeVersion constraint
# fails against the API server); its commit, like etcd's, is not known from the module proxy,
# so it is left empty ("GitNotFound" for etcd, as etcd's build script says without git). Every
# wrapper tool is also built with -trimpath and without symbol tables and debug information
# (-s -w), as upstream's releases are.
declare -A WRAPPER_TAGS=(
  [tools/kube-tools/kubernetes]="selinux,notest,grpcnotrace"
)
declare -A WRAPPER_LDFLAGS=(
  [tools/kube-tools/kubernetes]="$(for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    printf -- '-X %s.%s ' "$p" gitVersion=@VERSION@ "$p" gitMajor=@MAJOR@ "$p" gitMinor=@MINOR@ \
      "$p" gitTreeState=clean "$p" buildDate=@DATE@ "$p" gitCommit=
  done)"
  [tools/kube-tools/etcd]="-X go.etcd.io/etcd/api/v3/version.GitSHA=GitNotFound"
  [tools/kube-tools/kwok]="-X sigs.k8s.io/kwok/pkg/consts.Version=@VERSION@"
)

say() { printf 'tools: %s\n' "$*" >&2; }

known_tool() {
  [[ -n "${TOOLS[$1]:-}" ]] || {
    say "unknown tool '$1' (known: ${!TOOLS[*]})"
    exit 2
  }
}

pinned_version() {
  local module version pkg
  read -r module version pkg <<<"${TOOLS[$1]}"
  if [[ "$module" == pypi:* ]]; then
    # A change of any pinned dependency reinstalls the tool.
    printf '%s+%s' "$version" "$(sha256sum <"$root/$pkg" | cut -c1-8)"
  elif [[ "$module" == local ]]; then
    # A local tool's version is its sources: any change rebuilds it.
    cat "$root/$pkg"/go.mod "$root/$pkg"/go.sum "$root/$pkg"/*.go | sha256sum | cut -c1-16
  elif [[ "$module" == wrapper:* ]]; then
    # Any change of the wrapper module's pins or of the build settings rebuilds the tool.
    local dir=${module#wrapper:}
    printf '%s+%s' "$version" "$({
      cat "$root/$dir/go.mod" "$root/$dir/go.sum"
      printf '%s\n' "${WRAPPER_TAGS[$dir]:-}" "${WRAPPER_LDFLAGS[$dir]:-}"
    } | sha256sum | cut -c1-8)"
  elif [[ -n "${TOOL_LDFLAGS[$1]:-}" ]]; then
    # A change of link-time settings rebuilds the tool too.
    printf '%s+%s' "$version" "$(printf '%s' "${TOOL_LDFLAGS[$1]}" | sha256sum | cut -c1-8)"
  else
    printf '%s' "$version"
  fi
}

# Prints the path of a usable binary, or nothing.
locate() {
  local tool=$1 found
  if [[ "${TOOLS[$tool]}" == wrapper:* ]]; then
    # Pinned or nothing (see the top of this file).
    if [[ -x "$bin_dir/$tool" && "$(cat "$bin_dir/.$tool.version" 2>/dev/null)" == "$(pinned_version "$tool")" ]]; then
      printf '%s' "$bin_dir/$tool"
    fi
  elif [[ "${TOOLS[$tool]}" == pypi:* ]]; then
    # Pinned or nothing; and the environment must still run (its Python may have changed).
    if [[ "$(cat "$bin_dir/.$tool.version" 2>/dev/null)" == "$(pinned_version "$tool")" ]] &&
      "$bin_dir/$tool" --version >/dev/null 2>&1; then
      printf '%s' "$bin_dir/$tool"
    fi
  elif found=$(PATH=$(without_tools_dir) command -v "$tool" 2>/dev/null); then
    printf '%s' "$found"
  elif [[ -x "$bin_dir/$tool" && "$(cat "$bin_dir/.$tool.version" 2>/dev/null)" == "$(pinned_version "$tool")" ]]; then
    printf '%s' "$bin_dir/$tool"
  fi
}

without_tools_dir() {
  local IFS=: out=() dir
  for dir in $PATH; do [[ "$dir" == "$bin_dir" ]] || out+=("$dir"); done
  printf '%s' "${out[*]}"
}

# Copies the pinned module source into a writable tree, so a tool that embeds generated files
# (ferretdb's version.txt) can be built from its own go.mod exactly as upstream builds it.
module_source() {
  local module=$1 version=$2 tool=$3 src dir
  src=$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "$module@$version" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -n "$src" && -d "$src" ]] || {
    say "could not download $module@$version"
    return 1
  }
  dir="$build_dir/$tool-$version"
  rm -rf "$dir"
  mkdir -p "$build_dir"
  cp -R "$src" "$dir"
  chmod -R u+w "$dir"
  printf '%s' "$dir"
}

prepare_source() {
  local tool=$1 dir=$2 version=$3
  case "$tool" in
    ferretdb) printf '%s\n' "$version" >"$dir/build/version/version.txt" ;;
  esac
}

# Installs a Python tool into a virtual environment of its own, .tools/venv/<tool>, with pip, from
# its exact requirements file.
install_python_tool() {
  local tool=$1 module version requirements python venv_dir
  venv_dir="$venv_root/$tool"
  read -r module version requirements <<<"${TOOLS[$tool]}"
  python=$(command -v python3 || true)
  if [[ -z "$python" ]] || ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    say "$tool ${module#pypi:} $version needs Python 3.11 or newer (python3) to install it."
    say "Install python3 and python3-venv and run 'scripts/tools.sh ensure $tool'."
    return 1
  fi
  say "installing $tool (${module#pypi:} $version) into .tools/venv/$tool"
  mkdir -p "$bin_dir"
  # A fresh environment each time, so nothing a former pin left behind lingers.
  rm -rf "$venv_dir" "$bin_dir/$tool" "$bin_dir/.$tool.version"
  "$python" -m venv "$venv_dir" || {
    say "could not create a virtual environment: install python3-venv"
    rm -rf "$venv_dir"
    return 1
  }
  "$venv_dir/bin/python" -m pip install --quiet --disable-pip-version-check --require-virtualenv \
    -r "$root/$requirements" || {
    say "pip could not install $root/$requirements"
    return 1
  }
  "$venv_dir/bin/python" -m pip check >/dev/null || {
    say "the dependencies pinned in $requirements are inconsistent"
    return 1
  }
  ln -sfn "$venv_dir/bin/$tool" "$bin_dir/$tool"
  pinned_version "$tool" >"$bin_dir/.$tool.version"
}

need_go() {
  command -v go >/dev/null 2>&1 && return
  say "$1 $2 is not on PATH and Go is not installed to build it."
  say "Install Go 1.24 or newer and run 'scripts/tools.sh ensure $1', or put $1 $2 on PATH."
  return 1
}

# Builds tools of one wrapper module, in one `go build` (the tools share most of their packages),
# into a scratch directory first, so an interrupted build leaves nothing that looks finished.
# Run it in a subshell: it sets an EXIT trap.
build_wrapper() {
  local dir=$1 tool module version pkg out major minor date='' ldflags
  shift
  local -a pkgs=()
  for tool in "$@"; do
    read -r module version pkg <<<"${TOOLS[$tool]}"
    pkgs+=("$pkg")
    wrapper_pins "$dir" "$pkg" "$version" || return 1
  done
  command -v go >/dev/null 2>&1 || {
    say "$* ($version) must be built from $dir, and Go is not installed."
    say "Install Go 1.26 or newer and run 'scripts/tools.sh ensure $*'."
    return 1
  }
  say "building $* $version from $dir (first time only, takes minutes)"
  major=${version#v}
  major=${major%%.*}
  minor=${version#v*.}
  minor=${minor%%.*}
  ldflags=${WRAPPER_LDFLAGS[$dir]:-}
  if [[ "$ldflags" == *@DATE@* ]]; then
    date=$(cd "$root/$dir" && GOWORK=off GOFLAGS=-mod=readonly go list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' "$(wrapper_module "$dir" "$pkg")") || return 1
  fi
  ldflags=${ldflags//@VERSION@/$version}
  ldflags=${ldflags//@MAJOR@/$major}
  ldflags=${ldflags//@MINOR@/$minor}
  ldflags=${ldflags//@DATE@/$date}
  mkdir -p "$bin_dir" "$build_dir"
  out=$(mktemp -d "$build_dir/${dir##*/}.XXXXXX")
  # shellcheck disable=SC2064 # out is fixed from here on
  trap "rm -rf '$out'" EXIT
  # One package is written to its tool's name; several to a directory, by their last path element.
  local target="$out/"
  ((${#pkgs[@]} > 1)) || target="$out/$1"
  (cd "$root/$dir" && CGO_ENABLED=0 GOWORK=off GOFLAGS="-mod=readonly -trimpath" \
    go build -tags "${WRAPPER_TAGS[$dir]:-}" -ldflags "-s -w $ldflags" -o "$target" "${pkgs[@]}") ||
    return 1
  for tool in "$@"; do
    read -r module version pkg <<<"${TOOLS[$tool]}"
    [[ -e "$out/$tool" ]] || mv "$out/${pkg##*/}" "$out/$tool"
    mv "$out/$tool" "$bin_dir/$tool"
    pinned_version "$tool" >"$bin_dir/.$tool.version"
  done
}

# Prints the module of DIRECTORY's go.mod requirements that holds the package.
wrapper_module() {
  local dir=$1 pkg=$2 line path
  while read -r line; do
    line=${line#require }
    path=${line%% *}
    [[ -n "$path" && ( "$pkg" == "$path" || "$pkg" == "$path"/* ) ]] && printf '%s' "$path" && return
  done < <(sed -n 's/^\(require\)\{0,1\}[[:space:]]*\([^[:space:]()]\{1,\} v[^[:space:]]*\).*/\2/p' "$root/$dir/go.mod")
}

# Checks that the wrapper module requires the package's module at the version TOOLS pins.
wrapper_pins() {
  local dir=$1 pkg=$2 version=$3 module
  module=$(wrapper_module "$dir" "$pkg")
  if [[ -z "$module" ]]; then
    say "$dir/go.mod does not require the module of $pkg"
    return 1
  fi
  grep -Eq "^(require)?[[:space:]]*${module//./\\.} ${version//./\\.}( |\$)" "$root/$dir/go.mod" || {
    say "$dir/go.mod does not require $module $version, which scripts/tools.sh pins: change both"
    say "together (see tools/kube-tools/README.md)"
    return 1
  }
}

build() {
  local tool=$1 module version pkg dir
  read -r module version pkg <<<"${TOOLS[$tool]}"
  if [[ "$module" == pypi:* ]]; then
    install_python_tool "$tool"
    return
  fi
  need_go "$tool" "$version" || return 1
  mkdir -p "$bin_dir"
  if [[ "$module" == local ]]; then
    say "building $tool from $pkg"
    (cd "$root/$pkg" && CGO_ENABLED=0 GOFLAGS="-mod=readonly -trimpath" go build -o "$bin_dir/$tool.partial" .)
  else
    say "building $tool $version (first time only, takes a minute or two)"
    dir=$(module_source "$module" "$version" "$tool")
    prepare_source "$tool" "$dir" "$version"
    # GOWORK=off: a module that ships a go.work (prometheus does) is built as its go.mod says.
    (cd "$dir" && GOWORK=off CGO_ENABLED=0 GOFLAGS="-mod=mod -trimpath" go build -ldflags "${TOOL_LDFLAGS[$tool]:-}" -o "$bin_dir/$tool.partial" "./$pkg")
    rm -rf "$dir"
  fi
  mv "$bin_dir/$tool.partial" "$bin_dir/$tool"
  pinned_version "$tool" >"$bin_dir/.$tool.version"
}

# Makes the tools named available: the missing tools of each wrapper module are built together,
# each module in the background, in parallel with each other and with the other tools' builds.
# A background build's output goes to .tools/build/NAME.log, printed if it fails.
ensure() {
  local tool module dir failed=0 pid
  local -A groups=() pids=()
  local -a others=()
  for tool in "$@"; do known_tool "$tool"; done
  for tool in "$@"; do
    [[ -z "$(locate "$tool")" ]] || continue
    module=${TOOLS[$tool]%% *}
    if [[ "$module" == wrapper:* ]]; then
      dir=${module#wrapper:}
      [[ " ${groups[$dir]:-} " == *" $tool "* ]] || groups[$dir]+="${groups[$dir]:+ }$tool"
    elif [[ " ${others[*]} " != *" $tool "* ]]; then
      others+=("$tool")
    fi
  done
  ((${#groups[@]} + ${#others[@]} > 0)) || return 0
  if ((${#groups[@]} == 1 && ${#others[@]} == 0)); then
    # Nothing to run alongside: build in the foreground.
    for dir in "${!groups[@]}"; do
      # shellcheck disable=SC2086 # a group is a list of tool names
      (build_wrapper "$dir" ${groups[$dir]}) || failed=1
    done
    return "$failed"
  fi
  mkdir -p "$build_dir"
  for dir in "${!groups[@]}"; do
    # shellcheck disable=SC2086
    # (A background command ignores Ctrl-C unless told otherwise: this one stops with the script.)
    (
      trap - INT QUIT
      build_wrapper "$dir" ${groups[$dir]}
    ) >"$build_dir/${dir##*/}.log" 2>&1 &
    pids[$dir]=$!
    say "building ${groups[$dir]} in the background (log: .tools/build/${dir##*/}.log)"
  done
  for tool in "${others[@]}"; do build "$tool" || failed=1; done
  for dir in "${!pids[@]}"; do
    pid=${pids[$dir]}
    if wait "$pid"; then
      say "built ${groups[$dir]}"
    else
      failed=1
      say "could not build ${groups[$dir]} from $dir:"
      sed 's/^/  /' "$build_dir/${dir##*/}.log" >&2
    fi
  done
  return "$failed"
}

cmd=${1:-ensure}
shift || true
case "$cmd" in
  ensure)
    [[ $# -gt 0 ]] || set -- "${!TOOLS[@]}"
    ensure "$@"
    ;;
  path)
    [[ $# -eq 1 ]] || {
      say "usage: scripts/tools.sh path TOOL"
      exit 2
    }
    ensure "$1"
    locate "$1"
    printf '\n'
    ;;
  source)
    [[ $# -eq 1 && -n "${SOURCES[${1:-}]:-}" ]] || {
      say "usage: scripts/tools.sh source NAME (known: ${!SOURCES[*]})"
      exit 2
    }
    read -r module version <<<"${SOURCES[$1]}"
    need_go "$module" "$version"
    # Outside any module, so that no go.mod of the repository is consulted or changed.
    scratch=$(mktemp -d)
    dir=$(cd "$scratch" && GOWORK=off GOFLAGS=-mod=mod go mod download -json "$module@$version" |
      sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
    rmdir "$scratch"
    [[ -d "$dir" ]] || {
      say "could not download $module@$version"
      exit 1
    }
    printf '%s\n' "$dir"
    ;;
  list)
    for tool in "${!TOOLS[@]}"; do
      printf '%-23s %-18s %s\n' "$tool" "$(pinned_version "$tool")" "$(locate "$tool" || true)"
    done
    ;;
  *)
    say "usage: scripts/tools.sh ensure [TOOL...] | path TOOL | source NAME | list"
    exit 2
    ;;
esac
