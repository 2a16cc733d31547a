#compdef sshield
# zsh completion for sshield; generated from its command definitions (sshield completion zsh)
_sshield_takes_value() {
  case "$1|$2" in
    " audit|--root"|" audit|-f"|" audit|--file"|" audit|--format"|" audit|--fail-on"|" keys list|--user"|" keys restrict|--user"|" keys restrict|--from"|" report|-o"|" report|--output") return 0 ;;
  esac
  return 1
}

_sshield() {
  local cmdpath="" w i skip=0
  for ((i = 2; i < CURRENT; i++)); do
    w="${words[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      -*=*) continue ;;
      -*) _sshield_takes_value "$cmdpath" "$w" && skip=1; continue ;;
    esac
    case "$cmdpath $w" in
      " audit"|" keys"|" keys list"|" keys restrict"|" report"|" completion") cmdpath="$cmdpath $w" ;;
    esac
  done
  local prev="${words[CURRENT-1]}" cur="${words[CURRENT]}"
  if (( CURRENT > 2 )) && [[ "$prev" == -* ]] && _sshield_takes_value "$cmdpath" "$prev"; then
    case "$cmdpath|$prev" in
      " audit|--root") _files -/ ;;
      " audit|-f"|" audit|--file"|" report|-o"|" report|--output") _files ;;
      " audit|--format") compadd -- 'text' 'json' 'sarif' 'html' ;;
      " audit|--fail-on") _message 'severity' ;;
      " keys list|--user"|" keys restrict|--user") _message 'name' ;;
      " keys restrict|--from") _message 'cidr,...' ;;
    esac
    return
  fi
  local -a subs opts
  case "$cmdpath" in
    "")
      subs=('audit:judge the host'\''s effective sshd config' 'keys:Authorized keys: list them, restrict them.' 'report:render saved JSON as HTML' 'completion:print a completion script')
      opts=('-V:output the version number' '--version:output the version number' '--help:show help')
      ;;
    " audit")
      opts=('--root:audit an offline root directory' '-f:audit this sshd_config' '--file:audit this sshd_config' '--format:output format' '--fail-on:exit 1 when a rule at or above this severity fails ('\''quoted'\'' \ back)' '-v:show everything' '--verbose:show everything' '--help:show help')
      ;;
    " keys")
      subs=('list:List keys.' 'restrict:Restrict keys: one: two.')
      opts=('--help:show help')
      ;;
    " keys list")
      opts=('--user:only this account' '--help:show help')
      ;;
    " keys restrict")
      opts=('--user:the account' '--from:from= addresses' '--help:show help')
      ;;
    " report")
      opts=('-o:write to FILE' '--output:write to FILE' '--help:show help')
      [[ "$cur" != -* ]] && _files
      ;;
    " completion")
      opts=('--help:show help')
      [[ "$cur" != -* ]] && compadd -- 'bash' 'zsh' 'fish'
      ;;
  esac
  (( ${#subs} )) && [[ "$cur" != -* ]] && _describe -t commands 'command' subs
  _describe -t options 'option' opts
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _sshield "$@"; else compdef _sshield sshield; fi
