#!/usr/bin/env bash
# Check that every section of THEORY.md cited in the project has a heading in docs/THEORY.md.
#
# A citation is "docs/THEORY.md §N(.M)*" (also "docs/THEORY.md §…", "docs/THEORY.md§…"), together with the sections
# chained to it: "§7.2–§7.3", "§2.1–2.2", "§6.3, §6.5", "§6.3 and §6.5". A heading is a line
# "#… N. Title" or "#… N.M Title". Searched: Sources/, Tests/, README.md, examples/, docs/.
#
# Exit 0 when every cited section has a heading, 1 otherwise (the missing ones are named), 2 on a
# usage problem.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
theory="docs/THEORY.md"
if [[ ! -f "$theory" ]]; then
    echo "check-theory-citations: $theory not found" >&2
    exit 2
fi

targets=()
for p in Sources Tests README.md examples docs; do
    [[ -e "$p" ]] && targets+=("$p")
done

num='[0-9]+(\.[0-9]+)*'
# The first section after THEORY(.md), then any chained ones. Alternation instead of bracket
# expressions keeps the multi-byte § and – literal in any locale.
cite="THEORY(\.md)? ?§ ?${num}(( ?(–|-) ?(§ ?)?| ?, ?§ ?| and § ?)${num})*"

# Section numbers that have a heading.
declare -A have=()
while IFS= read -r n; do
    have["$n"]=1
done < <(grep -E "^#{1,6} +${num}\.? " "$theory" | sed -E "s/^#+ +([0-9]+(\.[0-9]+)*).*/\1/")

# file:line:match for every citation.
declare -A where=()
count=0
while IFS= read -r hit; do
    loc="${hit%%:THEORY*}"          # file:line
    text="${hit#"$loc":}"           # the matched citation
    text="${text#THEORY}"
    text="${text#.md}"
    while IFS= read -r n; do
        [[ -z "$n" ]] && continue
        count=$((count + 1))
        if [[ -z "${where[$n]:-}" ]]; then where["$n"]="$loc"; else where["$n"]+=" $loc"; fi
    done < <(grep -oE "$num" <<<"$text")
done < <(grep -rnoE -I "$cite" "${targets[@]}" 2>/dev/null || true)

if [[ ${#where[@]} -eq 0 ]]; then
    echo "check-theory-citations: no citations of THEORY.md found"
    exit 0
fi

sections=$(printf '%s\n' "${!where[@]}" | sort -t. -k1,1n -k2,2n -k3,3n)
echo "cited sections ($(wc -l <<<"$sections") distinct, $count citations):"
echo "  $(tr '\n' ' ' <<<"$sections")"

missing=0
while IFS= read -r n; do
    if [[ -z "${have[$n]:-}" ]]; then
        missing=$((missing + 1))
        echo "MISSING §$n: no heading in $theory; cited at:" >&2
        for loc in ${where[$n]}; do echo "    $loc" >&2; done
    fi
done <<<"$sections"

if [[ $missing -gt 0 ]]; then
    echo "check-theory-citations: $missing cited section(s) without a heading in $theory" >&2
    exit 1
fi
echo "all cited sections have a heading in $theory"
