"""The scripts of ``kubectl exitwhy completion bash|zsh|fish``. ``kubectl exitwhy <TAB>`` needs
none of them: kubectl's own completion runs ``kubectl_complete-exitwhy``, installed beside the
plugin. These complete the ``kubectl-exitwhy`` command itself, through the same program."""

from __future__ import annotations

HEADER = """\
# Completion for kubectl-exitwhy. kubectl exitwhy <TAB> completes through kubectl's own
# completion (source <(kubectl completion {shell})) and the kubectl_complete-exitwhy program;
# this script completes the kubectl-exitwhy command itself. Load it with:
#   source <(kubectl exitwhy completion {shell})
"""

BASH = """\
_kubectl_exitwhy() {
    local cur out directive
    cur=${COMP_WORDS[COMP_CWORD]}
    out=$(kubectl_complete-exitwhy __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
    directive=${out##*:}
    out=$(printf '%s\\n' "$out" | sed '$d')
    COMPREPLY=($(compgen -W "$out" -- "$cur"))
    if [ "$directive" = 4 ]; then compopt +o default 2>/dev/null; fi
}
complete -o default -F _kubectl_exitwhy kubectl-exitwhy
"""

ZSH = """\
_kubectl_exitwhy() {
    local -a lines
    lines=("${(@f)$(kubectl_complete-exitwhy __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
    local directive=${lines[-1]#:}
    lines=("${(@)lines[1,-2]}")
    if (( ${#lines} )); then
        compadd -- "${(@)lines}"
    elif [[ $directive != 4 ]]; then
        _files
    fi
}
compdef _kubectl_exitwhy kubectl-exitwhy
"""

FISH = """\
function __kubectl_exitwhy_complete
    set -l args (commandline -opc)[2..-1] (commandline -ct)
    kubectl_complete-exitwhy __complete $args 2>/dev/null | string match -v -r '^:'
end
complete -c kubectl-exitwhy -f -a '(__kubectl_exitwhy_complete)'
"""

SCRIPTS = {
    shell: HEADER.format(shell=shell) + body
    for shell, body in (("bash", BASH), ("zsh", ZSH), ("fish", FISH))
}
