#!/usr/bin/env bash
set -euo pipefail
curl -u {{curl-u}} https://api.acme.io/v1/deployments
curl -sS --user {{curl-u}} -X POST https://ci.acme.io/job/build
curl -fsSL --user={{curl-u}} https://nexus.acme.io/repository/raw/app.tgz -o app.tgz
git remote add mirror {{url-userpass}}
rsync -av dist/ {{url-userpass}}
