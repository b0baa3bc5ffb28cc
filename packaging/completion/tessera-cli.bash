# SPDX-License-Identifier: GPL-3.0-or-later
# bash completion for tessera-cli. Installed as share/bash-completion/completions/tessera-cli.
# Dynamic words (request and grant ids, secret names, resource URIs) come from the running
# Tessera through tessera-cli itself; nothing is completed when it is not running.

_tessera_cli_json_values()
{
    # $1: key; the rest: tessera-cli arguments. Prints the string values of "key" in the JSON output.
    local key=$1
    shift
    tessera-cli "${_tessera_cli_global[@]}" --json "$@" 2>/dev/null |
        sed -n "s/^ *\"$key\": \"\\([^\"]*\\)\".*/\\1/p"
}

_tessera_cli()
{
    local cur prev words cword
    _init_completion -n = || return

    local commands="approve audit client clients deny exec exec-grants freeze grants requests resource settings
        revoke secret status token unfreeze watch whoami"
    local global_opts="--json --runtime-dir --help --version"

    # Global options come before the command; remember --runtime-dir for the dynamic lookups.
    _tessera_cli_global=()
    local i command="" command_index=0
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            --runtime-dir) _tessera_cli_global=(--runtime-dir "${words[i + 1]}"); ((i++)) ;;
            --json) ;;
            -*) ;;
            *) command=${words[i]}; command_index=$i; break ;;
        esac
    done

    if [[ -z $command ]]; then
        case $prev in
            --runtime-dir) _filedir -d; return ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$global_opts" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi

    # exec: after "--" it is another program's command line.
    if [[ $command == exec ]]; then
        for ((i = command_index + 1; i < cword; i++)); do
            if [[ ${words[i]} == -- ]]; then
                if ((i + 1 == cword)); then
                    COMPREPLY=($(compgen -c -- "$cur"))
                else
                    _filedir
                fi
                return
            fi
        done
    fi

    local sub=${words[command_index + 1]}
    case $command in
        token)
            case $prev in
                --resource) COMPREPLY=($(compgen -W "$(_tessera_cli_json_values uri resource list)" -- "$cur")); return ;;
                --scope) return ;;
            esac
            COMPREPLY=($(compgen -W "--resource --scope --ask --no-prompt --json --help" -- "$cur"))
            ;;
        exec)
            case $prev in
                --secret) COMPREPLY=($(compgen -W "$(_tessera_cli_json_values name secret list)" -- "$cur")); return ;;
                --resource) COMPREPLY=($(compgen -W "$(_tessera_cli_json_values uri resource list)" -- "$cur")); return ;;
                --scope | --token-env) return ;;
            esac
            COMPREPLY=($(compgen -W "--secret --resource --scope --token-env --help --" -- "$cur"))
            ;;
        exec-grants)
            case $prev in
                --state) COMPREPLY=($(compgen -W "active expired revoked any" -- "$cur")); return ;;
                --secret) COMPREPLY=($(compgen -W "$(_tessera_cli_json_values name secret list)" -- "$cur")); return ;;
                --client) COMPREPLY=($(compgen -W "$(_tessera_cli_json_values clientId clients)" -- "$cur")); return ;;
            esac
            COMPREPLY=($(compgen -W "--state --client --secret --json --help" -- "$cur"))
            ;;
        secret)
            if ((cword == command_index + 1)); then
                COMPREPLY=($(compgen -W "set list remove --help" -- "$cur"))
            elif [[ $sub == remove ]] && [[ $cur != -* ]]; then
                COMPREPLY=($(compgen -W "$(_tessera_cli_json_values name secret list)" -- "$cur"))
            elif [[ $sub == set ]]; then
                case $prev in --description | --env) return ;; esac
                COMPREPLY=($(compgen -W "--description --env --help" -- "$cur"))
            fi
            ;;
        audit)
            if ((cword == command_index + 1)) && [[ $cur != -* ]]; then
                COMPREPLY=($(compgen -W "verify export" -- "$cur"))
                return
            fi
            case $prev in
                --format) COMPREPLY=($(compgen -W "jsonl csv" -- "$cur")); return ;;
                --client) COMPREPLY=($(compgen -W "$(_tessera_cli_json_values clientId clients)" -- "$cur")); return ;;
                --since | --kind | --limit) return ;;
            esac
            if [[ $sub == export ]]; then
                [[ $cur == -* ]] && COMPREPLY=($(compgen -W "--format --since --client --kind --help" -- "$cur")) || _filedir
            elif [[ $sub != verify ]]; then
                COMPREPLY=($(compgen -W "--follow --json --since --client --kind --limit --help" -- "$cur"))
            fi
            ;;
        approve)
            case $prev in
                --for) COMPREPLY=($(compgen -W "once 1h 1d forever" -- "$cur")); return ;;
                --scope) return ;;
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--scope --for --json --help" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(_tessera_cli_json_values id requests)" -- "$cur"))
            fi
            ;;
        deny)
            COMPREPLY=($(compgen -W "$(_tessera_cli_json_values id requests)" -- "$cur"))
            ;;
        revoke)
            case $prev in
                --client) COMPREPLY=($(compgen -W "$(_tessera_cli_json_values clientId clients)" -- "$cur")); return ;;
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--client --all --json --help" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(_tessera_cli_json_values id grants --state active) $(_tessera_cli_json_values id exec-grants --state active)" -- "$cur"))
            fi
            ;;
        grants)
            case $prev in
                --state) COMPREPLY=($(compgen -W "active expired revoked any" -- "$cur")); return ;;
                --client) COMPREPLY=($(compgen -W "$(_tessera_cli_json_values clientId clients)" -- "$cur")); return ;;
            esac
            COMPREPLY=($(compgen -W "--state --client --json --help" -- "$cur"))
            ;;
        resource)
            if ((cword == command_index + 1)); then
                COMPREPLY=($(compgen -W "add update list show remove prm --help" -- "$cur"))
            elif [[ $sub == add ]]; then
                COMPREPLY=($(compgen -W "--uri --scope --default-scope --display-name --token-lifetime --introspection --help" -- "$cur"))
            elif [[ $sub == show || $sub == remove || $sub == prm || ($sub == update && $cur != -*) ]]; then
                COMPREPLY=($(compgen -W "$(_tessera_cli_json_values name resource list)" -- "$cur"))
            fi
            ;;
        client)
            if ((cword == command_index + 1)); then
                COMPREPLY=($(compgen -W "add forget --help" -- "$cur"))
            elif [[ $sub == forget ]]; then
                COMPREPLY=($(compgen -W "$(_tessera_cli_json_values clientId clients)" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "--name --redirect-uri --confidential --help" -- "$cur"))
            fi
            ;;
        *)
            COMPREPLY=($(compgen -W "--json --help" -- "$cur"))
            ;;
    esac
}
complete -F _tessera_cli tessera-cli
