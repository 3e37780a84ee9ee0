#!/usr/bin/env bash
# Makes the tools the project needs available in .tools/bin.
#
#   scripts/tools.sh ensure [TOOL...]   make every tool (or the ones named) available
#   scripts/tools.sh path TOOL          print the absolute path of TOOL, making it available first
#   scripts/tools.sh list               print each tool, its pinned version and where it is found
#
# Go tools: a binary already on PATH wins; else a pinned build in .tools/bin; else it is built
# with `go build` from the pinned module version. Without Go, a clear message says what to install.
# Python tools: always the pinned version, installed with pip into the virtual environment
# .tools/venv from an exact requirements file and linked into .tools/bin (a same-named program
# on PATH may be something else entirely: `st` is also a terminal emulator).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin_dir="$root/.tools/bin"
build_dir="$root/.tools/build"
venv_dir="$root/.tools/venv"

# tool -> "module version package-path-inside-module", or "local - directory" for a tool kept in
# this repository (its go.mod and go.sum pin its dependencies), or "pypi:DISTRIBUTION version
# requirements-file" for a Python tool (the file pins it and every dependency exactly).
declare -A TOOLS=(
  [helm]="helm.sh/helm/v3 v3.19.5 cmd/helm"
  [ferretdb]="github.com/FerretDB/FerretDB v1.24.2 cmd/ferretdb"
  [kube-score]="github.com/zegl/kube-score v1.20.0 cmd/kube-score"
  [actionlint]="github.com/rhysd/actionlint v1.7.12 cmd/actionlint"
  [compose-check]="local - tools/compose-check"
  [st]="pypi:schemathesis 4.32.5 tools/hostile-input/requirements.txt"
)

# Link-time settings upstream's release builds pass, where a plain `go build` would differ:
# helm reports its version, and renders for Kubernetes 1.34 (the client library it is built
# with) instead of its 1.20 fallback, which would fail charts requiring a newer kubeVersion.
# actionlint reports its version as its release builds do, instead of "(devel)".
declare -A TOOL_LDFLAGS=(
  [actionlint]="-X github.com/rhysd/actionlint.version=1.7.12"
  [helm]="-X helm.sh/helm/v3/internal/version.version=v3.19.5 -X helm.sh/helm/v3/internal/version.gitTreeState=clean -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=34 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=34"
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
  if [[ "${TOOLS[$tool]}" == pypi:* ]]; then
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

# Installs a Python tool into .tools/venv with pip, from its exact requirements file.
install_python_tool() {
  local tool=$1 module version requirements python
  read -r module version requirements <<<"${TOOLS[$tool]}"
  python=$(command -v python3 || true)
  if [[ -z "$python" ]] || ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    say "$tool ${module#pypi:} $version needs Python 3.11 or newer (python3) to install it."
    say "Install python3 and python3-venv and run 'scripts/tools.sh ensure $tool'."
    return 1
  fi
  say "installing $tool (${module#pypi:} $version) into .tools/venv"
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

build() {
  local tool=$1 module version pkg dir
  read -r module version pkg <<<"${TOOLS[$tool]}"
  if [[ "$module" == pypi:* ]]; then
    install_python_tool "$tool"
    return
  fi
  if ! command -v go >/dev/null 2>&1; then
    say "$tool $version is not on PATH and Go is not installed to build it."
    say "Install Go 1.24 or newer and run 'scripts/tools.sh ensure $tool', or put $tool $version on PATH."
    return 1
  fi
  mkdir -p "$bin_dir"
  if [[ "$module" == local ]]; then
    say "building $tool from $pkg"
    (cd "$root/$pkg" && CGO_ENABLED=0 GOFLAGS="-mod=readonly -trimpath" go build -o "$bin_dir/$tool.partial" .)
  else
    say "building $tool $version (first time only, takes a minute or two)"
    dir=$(module_source "$module" "$version" "$tool")
    prepare_source "$tool" "$dir" "$version"
    (cd "$dir" && CGO_ENABLED=0 GOFLAGS="-mod=mod -trimpath" go build -ldflags "${TOOL_LDFLAGS[$tool]:-}" -o "$bin_dir/$tool.partial" "./$pkg")
    rm -rf "$dir"
  fi
  mv "$bin_dir/$tool.partial" "$bin_dir/$tool"
  pinned_version "$tool" >"$bin_dir/.$tool.version"
}

ensure() {
  local tool=$1
  known_tool "$tool"
  [[ -n "$(locate "$tool")" ]] || build "$tool" || return 1
}

cmd=${1:-ensure}
shift || true
case "$cmd" in
  ensure)
    [[ $# -gt 0 ]] || set -- "${!TOOLS[@]}"
    failed=0
    for tool in "$@"; do ensure "$tool" || failed=1; done
    exit "$failed"
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
  list)
    for tool in "${!TOOLS[@]}"; do
      printf '%-10s %-9s %s\n' "$tool" "$(pinned_version "$tool")" "$(locate "$tool" || true)"
    done
    ;;
  *)
    say "usage: scripts/tools.sh ensure [TOOL...] | path TOOL | list"
    exit 2
    ;;
esac
