#!/usr/bin/env bash
# `make images`: stages the build context in build/images/context and builds the images of
# deploy/images/Containerfile (spine/actions, spine/rasa, spine/console) and of the databases
# (spine/postgres, spine/redis), on the base image deploy/images/base.sh makes if it is missing.
# The wheels must be in build/images/context/wheels already (the Makefile downloads them).
# Usage: build.sh PYTHON TAG  (PYTHON: the project's virtualenv's interpreter)
set -euo pipefail
cd "$(dirname "$0")/../.."
python=$1 tag=$2
work=build/images
context=$work/context
base=localhost/spine/base:bookworm

# the base image, again when deploy/images/base.sh changed (its hash is the image's label)
made_by=$(podman image inspect --format '{{index .Labels "spine.base"}}' "$base" 2>/dev/null || true)
[ "$made_by" = "$(sha256sum deploy/images/base.sh | cut -c1-16)" ] || deploy/images/base.sh "$base" "$work/base"

# The interpreter the virtualenv was made from, without its site-packages (the virtualenv in the
# image gets its own) and tests; it must be a prefix of its own (pyenv's, or built from source).
prefix=$("$python" -c 'import sys; print(sys.base_prefix)')
case "$prefix" in /usr | /usr/local | /)
  echo "The virtualenv's Python ($prefix) is the system's: make the virtualenv with a Python of its own prefix (e.g. pyenv's 3.10) to build images." >&2
  exit 1 ;;
esac
version=$("$python" -c 'import sys; print("python%d.%d" % sys.version_info[:2])')
rm -rf "$context"/{python,app,requirements,model,spacy,postgres-start.sh}
mkdir -p "$context/python"
tar -C "$prefix" --exclude="lib/$version/site-packages/*" --exclude="lib/$version/test" \
  --exclude="lib/$version/idlelib" --exclude="lib/$version/tkinter" --exclude=__pycache__ -c bin include lib |
  tar -C "$context/python" -x

# The project: its tracked files that run, and what `make` built for them (hard links: no copy).
mkdir -p "$context/app"
git ls-files -z bot actions data config.yml domain.yml credentials.yml endpoints.yml pyproject.toml |
  xargs -0 cp --parents -t "$context/app"
cp -al --parents web/dist build/gate "$context/app"
cp -al requirements "$context/requirements"
awk '/^[a-z0-9]/ { keep = /^(setuptools|wheel)==/ } keep && !/^ *#/' requirements/lock.txt >"$context/requirements/build-tools.txt"
cp -al models/spine-faq.tar.gz "$context/model"
cp -al deploy/images/postgres-start.sh "$context/"
cp -al build/spacy/en_spine "$context/spacy"

for target in actions rasa console; do
  podman build --quiet --layers --target "$target" --tag "localhost/spine/$target:$tag" \
    --file deploy/images/Containerfile "$context" >/dev/null
  echo "localhost/spine/$target:$tag"
done
for service in postgres redis; do
  podman build --quiet --layers --tag "localhost/spine/$service:$tag" \
    --file "deploy/images/$service.Containerfile" "$context" >/dev/null
  echo "localhost/spine/$service:$tag"
done
