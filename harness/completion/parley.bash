# bash completion for parley: its commands, each command's options (read from
# `parley COMMAND --help`, so they always match the parley being completed), scenario files and
# folders, and target names from the targets file a run would use.
# Installed as share/bash-completion/completions/parley; or `source` this file.

# The options of a command, from its --help (Boost.Program_options' layout): one per line, with
# " ARG" after an option that takes a value.
_parley_options() {
  "$1" "$2" --help 2>/dev/null |
    command sed -n 's/^  \(-[a-zA-Z0-9] \[ \)\{0,1\}\(--[a-z0-9-]*\)\( \]\)\{0,1\}\( [^ ]\{1,\}\)\{0,1\}.*/\2\4/p'
}

# The targets file the command line means: --targets FILE, else the nearest targets.yaml in
# the first path's folder or above it (default path: scenarios).
_parley_targets_file() {
  local i word path=
  for ((i = 2; i < ${#words[@]}; i++)); do
    word=${words[i]}
    case $word in
      --targets) echo "${words[i + 1]-}"; return ;;
      --targets=*) echo "${word#--targets=}"; return ;;
      -*) ;;
      *) [[ -z $path && -e $word && ${words[i - 1]} != -* ]] && path=$word ;;
    esac
  done
  path=${path:-scenarios}
  [[ -d $path ]] || path=$(dirname -- "$path")
  while [[ -d $path ]]; do
    for word in "$path/targets.yaml" "$path/targets.yml"; do
      [[ -f $word ]] && { echo "$word"; return; }
    done
    [[ $(cd -- "$path" && pwd) == / ]] && return
    path=$path/..
  done
}

# The target names of a targets file: the keys one level under `targets:`.
_parley_target_names() {
  [[ -f $1 ]] || return
  command awk '
    /^targets:/ { inside = 1; next }
    inside && /^[^ #]/ { inside = 0 }
    inside && /^ +[A-Za-z][A-Za-z0-9_-]*:/ {
      match($0, /^ +/)
      if (indent == 0) indent = RLENGTH
      if (RLENGTH == indent) { sub(/^ +/, ""); sub(/:.*/, ""); print }
    }' "$1"
}

_parley() {
  local cur prev words cword split
  _init_completion -s || return
  local commands="run list validate export-seeds fuzz record init help"
  if ((cword == 1)); then
    COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
    return
  fi
  local parley=${words[0]} command=${words[1]}
  case " $commands " in *" $command "*) ;; *) return ;; esac
  [[ $command == help ]] && return

  case $prev in
    --targets) _filedir '@(yaml|yml)'; return ;;
    --bin-dir) _filedir -d; return ;;
    --junit | --json | --html | --out | -o | --exclude) _filedir; return ;;
    --color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
    --target)
      local names
      names=$(_parley_target_names "$(_parley_targets_file)")
      COMPREPLY=($(compgen -W "$(printf '%s=\n' $names)" -- "$cur"))
      compopt -o nospace 2>/dev/null # outside a completion (a test calling it) there is none
      return
      ;;
  esac
  local options
  options=$(_parley_options "$parley" "$command")
  if [[ $prev == -* ]] && grep -q -- "^$prev " <<<"$options"; then
    return # a value nothing can guess: a number, a glob, a tag
  fi
  $split && return
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(command sed 's/ .*//' <<<"$options")" -- "$cur"))
    return
  fi
  case $command in
    init) _filedir -d ;;
    record) ;;
    *) _filedir '@(yaml|yml)' ;;
  esac
}
complete -F _parley parley
