# bash completion for sshield; generated from its command definitions (sshield completion bash)
_sshield_takes_value() {
  case "$1|$2" in
    " audit|--root"|" audit|-f"|" audit|--file"|" audit|--format"|" audit|--fail-on"|" keys list|--user"|" keys restrict|--user"|" keys restrict|--from"|" report|-o"|" report|--output") return 0 ;;
  esac
  return 1
}

_sshield() {
  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" path="" w i skip=0
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      -*=*) continue ;;
      -*) _sshield_takes_value "$path" "$w" && skip=1; continue ;;
    esac
    case "$path $w" in
      " audit"|" keys"|" keys list"|" keys restrict"|" report"|" completion") path="$path $w" ;;
    esac
  done
  if ((COMP_CWORD > 1)) && [[ "$prev" == -* ]] && _sshield_takes_value "$path" "$prev"; then
    case "$path|$prev" in
      " audit|--root") COMPREPLY=($(compgen -d -- "$cur")) ;;
      " audit|-f"|" audit|--file"|" report|-o"|" report|--output") COMPREPLY=($(compgen -f -- "$cur")) ;;
      " audit|--format") COMPREPLY=($(compgen -W 'text json sarif html' -- "$cur")) ;;
      " audit|--fail-on"|" keys list|--user"|" keys restrict|--user"|" keys restrict|--from") COMPREPLY=() ;;
    esac
    return 0
  fi
  local words=""
  case "$path" in
    "") words='audit keys report completion -V --version --help' ;;
    " audit") words='--root -f --file --format --fail-on -v --verbose --help' ;;
    " keys") words='list restrict --help' ;;
    " keys list") words='--user --help' ;;
    " keys restrict") words='--user --from --help' ;;
    " report") words='-o --output --help' ;;
    " completion") words='--help' ;;
  esac
  if [[ "$cur" != -* ]]; then
    case "$path" in
      " completion") COMPREPLY=($(compgen -W 'bash zsh fish' -- "$cur")); return 0 ;;
      " report") COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
    esac
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -o bashdefault -F _sshield sshield 2>/dev/null || complete -o default -F _sshield sshield
