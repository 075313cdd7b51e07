"""Debian's contents index, fetched inside an env build: which package ships which path.

A build step that falls back to Debian's packaged sources (Go modules, Maven artifacts) asks the
index of the image's own release and mirror, as ``apt-file`` would, with apt's own downloader.
"""

#: a shell function: ``debian_contents OUT LOG`` writes ``Contents-all.gz`` of the image's release
#: and first apt source to OUT (apt's output to LOG); OUT is empty or absent when it cannot
CONTENTS_FUNCTION = r"""debian_contents() {
  mirror=$(sed -nE 's/^(deb|URIs:) +(\[[^]]*\] +)?(https?:[^ ]+).*/\3/p' /etc/apt/sources.list \
    /etc/apt/sources.list.d/* 2>/dev/null | head -n 1)
  release=$(. /etc/os-release; echo "$VERSION_CODENAME")
  /usr/lib/apt/apt-helper download-file "$mirror/dists/$release/main/Contents-all.gz" "$1" >> "$2" 2>&1
}
"""
