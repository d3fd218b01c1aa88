#!/usr/bin/env bash
# Builds the services' container images as tarballs that k3s imports, without a Docker engine:
#   scripts/build-images.sh [output folder, default artifacts/images]
#   sudo k3s ctr images import artifacts/images/cognive-api.tar.gz   (on each k3s node)
# The base image (mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled) is pulled from Microsoft's registry, so this
# needs a machine that reaches it. The image names and tag match what `aspire publish` writes into the manifests.
set -euo pipefail
cd "$(dirname "$0")/.."
output="$(realpath -m "${1:-artifacts/images}")"
mkdir -p "$output"
for project in Cognive.ApiService Cognive.Workers Cognive.SwarmQueen Cognive.Agents; do
  repository="$(dotnet msbuild "$project" -getProperty:ContainerRepository)"
  dotnet publish "$project" -c Release -t:PublishContainer \
    -p:ContainerArchiveOutputPath="$output/$repository.tar.gz"
done
ls -l "$output"
