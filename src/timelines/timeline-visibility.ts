/**
 * Whether timeline `t` is visible to the user whose id is the parameter `viewer` (null: anonymous), per
 * SPEC sections 5 and 9: a personal timeline to its owner and the viewers they granted; a private community
 * to its active members (its creator is the first); everything else to everyone. The one definition of
 * timeline visibility: every query that returns timelines or events uses it. Each `exists` is a primary-key
 * probe, evaluated only for the rows of its branch.
 */
export function timelineVisibleTo(t: string, viewer: string): string {
  return `(case ${t}.timeline_type
    when 'personal' then ${t}.created_by = ${viewer}::int
      or exists (select 1 from timeline_viewer tv where tv.timeline_id = ${t}.id and tv.user_id = ${viewer}::int)
    when 'community' then ${t}.visibility = 'public'
      or exists (select 1 from timeline_member tm where tm.timeline_id = ${t}.id and tm.user_id = ${viewer}::int and tm.state = 'active')
    else ${t}.visibility = 'public' or ${t}.created_by = ${viewer}::int end) is true`;
}
