#!/usr/bin/env bash
# Installs the firebreak binary for the composite action (action.yml runs this script).
#
# It picks the release archive for the runner's OS and architecture, downloads it, checks it
# against the SHA-256 sum that action.yml pins for this version (so a tag of the action pins
# the bytes it runs), and installs the binary. When no archive fits the runner (self-hosted
# runners on other platforms) or action.yml pins no sum for it (an untagged commit of the
# action), it builds firebreak from the action's own source with `cargo install --locked`.
#
# Everything comes in through the environment (action.yml passes inputs only this way):
#   FIREBREAK_VERSION      the version action.yml pins, e.g. 0.1.0
#   FIREBREAK_SHA256SUMS   lines "<sha256>  <archive name>" for that version (from action.yml)
#   FIREBREAK_RELEASE_URL  where the archives are: a URL (https://…, file://…) or a directory.
#                          Default: $GITHUB_SERVER_URL/<action repository>/releases/download/v<version>
#                          ($GITHUB_SERVER_URL is the GitHub Enterprise Server host there).
#   FIREBREAK_ACTION_REPOSITORY  owner/name of the action (default firebreak-dev/firebreak)
#   FIREBREAK_SOURCE_DIR   the action's source, for the fallback build (default $GITHUB_ACTION_PATH)
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_OUTPUT  as set by the runner
# Writes `path=<the installed binary>` to $GITHUB_OUTPUT. Exit 1 with an ::error:: line when
# the download fails, the checksum does not match, or the fallback build is impossible.
set -euo pipefail

fail() {
  echo "::error::$*"
  exit 1
}

version="${FIREBREAK_VERSION:-}"
version="${version#v}"
if [[ ! "${version}" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]]; then
  fail "FIREBREAK_VERSION must look like 1.2.3, not '${FIREBREAK_VERSION:-}'"
fi
[[ -n "${RUNNER_TEMP:-}" ]] || fail "RUNNER_TEMP is not set (this script runs inside a GitHub Actions job)"

# The Rust target of each platform the release workflow builds.
target=""
case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64) target="x86_64-unknown-linux-musl" ;;
  Linux/ARM64) target="aarch64-unknown-linux-musl" ;;
  macOS/X64) target="x86_64-apple-darwin" ;;
  macOS/ARM64) target="aarch64-apple-darwin" ;;
  Windows/X64) target="x86_64-pc-windows-msvc" ;;
esac
exe=""
archive_ext="tar.gz"
if [[ "${RUNNER_OS:-}" == "Windows" ]]; then
  exe=".exe"
  archive_ext="zip"
fi

dir="${RUNNER_TEMP}/firebreak-${version}"
bin="${dir}/firebreak${exe}"
mkdir -p "${dir}"

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  else
    shasum -a 256 "$1" | cut -d ' ' -f 1
  fi
}

build_from_source() {
  local source="${FIREBREAK_SOURCE_DIR:-${GITHUB_ACTION_PATH:-}}"
  echo "::notice::$1; building firebreak ${version} from the action's source with cargo install --locked (this takes a few minutes)"
  [[ -n "${source}" && -f "${source}/Cargo.toml" ]] \
    || fail "cannot build firebreak: no source at '${source}' (FIREBREAK_SOURCE_DIR or GITHUB_ACTION_PATH)"
  command -v cargo >/dev/null 2>&1 \
    || fail "cannot build firebreak: cargo is not on PATH; install a Rust toolchain on this runner (https://rustup.rs) or use a runner with a prebuilt binary (Linux, macOS or Windows on x64; Linux or macOS on ARM64)"
  cargo install --locked --path "${source}" --root "${dir}" --bin firebreak
  mv "${dir}/bin/firebreak${exe}" "${bin}"
}

if [[ -x "${bin}" ]]; then
  echo "firebreak ${version} is already installed in ${dir}"
elif [[ -z "${target}" ]]; then
  build_from_source "no prebuilt firebreak for ${RUNNER_OS:-unknown OS} ${RUNNER_ARCH:-unknown architecture}"
else
  archive="firebreak-${version}-${target}.${archive_ext}"
  expected="$(printf '%s\n' "${FIREBREAK_SHA256SUMS:-}" | awk -v f="${archive}" '$2 == f || $2 == "*" f { print $1; exit }')"
  if [[ -z "${expected}" ]]; then
    build_from_source "action.yml pins no SHA-256 sum for ${archive}"
  else
    repository="${FIREBREAK_ACTION_REPOSITORY:-}"
    repository="${repository:-firebreak-dev/firebreak}"
    server="${GITHUB_SERVER_URL:-https://github.com}"
    base="${FIREBREAK_RELEASE_URL:-}"
    base="${base:-${server%/}/${repository}/releases/download/v${version}}"
    download="${dir}/${archive}"
    echo "Downloading ${base%/}/${archive}"
    if [[ "${base}" == /* || "${base}" == ./* ]]; then
      cp "${base%/}/${archive}" "${download}" || fail "cannot copy ${archive} from ${base}"
    else
      curl --fail --silent --show-error --location --retry 3 --output "${download}" "${base%/}/${archive}" \
        || fail "cannot download ${base%/}/${archive}"
    fi
    actual="$(sha256 "${download}")"
    if [[ "${actual}" != "${expected}" ]]; then
      rm -f "${download}"
      fail "checksum mismatch for ${archive}: action.yml pins ${expected}, the download has ${actual}; refusing to install it (the file is not the release this action version was published with)"
    fi
    echo "${archive}: SHA-256 ${actual} matches the sum pinned in action.yml"
    unpacked="${dir}/unpacked"
    rm -rf "${unpacked}"
    mkdir -p "${unpacked}"
    if [[ "${archive_ext}" == "zip" ]]; then
      if command -v unzip >/dev/null 2>&1; then
        unzip -q "${download}" -d "${unpacked}"
      else
        pwsh -NoProfile -Command "Expand-Archive -LiteralPath '${download}' -DestinationPath '${unpacked}'"
      fi
    else
      tar -xzf "${download}" -C "${unpacked}"
    fi
    found="$(find "${unpacked}" -type f -name "firebreak${exe}" | head -n 1)"
    [[ -n "${found}" ]] || fail "${archive} holds no firebreak${exe} binary"
    mv "${found}" "${bin}"
    chmod 0755 "${bin}"
    rm -rf "${unpacked}" "${download}"
  fi
fi

"${bin}" --version
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  echo "path=${bin}" >>"${GITHUB_OUTPUT}"
fi
