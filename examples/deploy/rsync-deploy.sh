#!/bin/sh
# Copy a verified site_builder build to the web host and switch it live in one rename.
#
#   rsync-deploy.sh OUTPUT WEB_HOST [WEB_ROOT]
#
# OUTPUT is the build's output link (e.g. /srv/credit-build/output). On WEB_HOST, under WEB_ROOT
# (default /srv/credit), each build gets its own folder releases/<build id>/ and the link "site"
# is switched to it with one rename, so Nginx (root WEB_ROOT/site, see examples/nginx/) never
# serves half a site. rsync -L copies the files the link points at, never the link itself;
# --link-dest shares unchanged files with the previous release. The three newest releases are kept.
# Run it only after `site-builder verify` has passed. The SSH key used needs write access to
# WEB_ROOT on WEB_HOST and nothing else.
set -eu

output=${1:?usage: rsync-deploy.sh OUTPUT WEB_HOST [WEB_ROOT]}
host=${2:?usage: rsync-deploy.sh OUTPUT WEB_HOST [WEB_ROOT]}
root=${3:-/srv/credit}

build=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["build"]["id"])' "$output/manifest.json")
case $build in *[!0-9A-Za-z-]*|'') echo "unexpected build id: $build" >&2; exit 1;; esac

ssh "$host" "mkdir -p '$root/releases'"
rsync -aL --delete --link-dest="$root/site/" "$output/" "$host:$root/releases/$build/"
ssh "$host" "set -e; cd '$root'
  ln -sfn 'releases/$build' site.new && mv -T site.new site
  ls -1dt releases/*/ | tail -n +4 | xargs -r rm -rf --"
echo "deployed $build to $host:$root/site"
