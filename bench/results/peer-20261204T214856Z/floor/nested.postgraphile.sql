-- The statements of one `nested.postgraphile` request, as logged by PostgreSQL (bench/peer.sh regenerates this file).
select
__plan__."id" as "0",
__plan__."title" as "1",
array(select array[
__task__."id",
__task__."code",
array(select array[
__task_assignment__."role",
__department__."name"
]::text[]
from "public"."task_assignment" as __task_assignment__
left outer join "public"."department" as __department__
on (
/* WHERE becoming ON */ (__department__."id" = __task_assignment__."department_id"))
where (__task_assignment__."task_id" = __task__."id")
order by __task_assignment__."position" asc nulls last, __task_assignment__."id" asc nulls last)::text
]::text[]
from "public"."task" as __task__
where (__task__."plan_id" = __plan__."id")
order by __task__."doc_order" asc nulls last, __task__."id" asc nulls last
limit 20)::text as "2",
array(select array[
__indicator__."id",
__indicator__."name",
array(select array[
__indicator_target__."year"::text,
__indicator_target__."value"::text,
__indicator_target__."version"::text
]::text[]
from "public"."indicator_target" as __indicator_target__
where (__indicator_target__."indicator_id" = __indicator__."id")
order by __indicator_target__."year" asc nulls last, __indicator_target__."id" asc)::text,
array(select array[
__indicator_actual__."value"::text
]::text[]
from "public"."indicator_actual" as __indicator_actual__
where (__indicator_actual__."indicator_id" = __indicator__."id")
order by __indicator_actual__."period" desc nulls last, __indicator_actual__."revision" desc nulls last, __indicator_actual__."id" desc
limit 1)::text
]::text[]
from "public"."indicator" as __indicator__
where (__indicator__."plan_id" = __plan__."id")
order by __indicator__."doc_order" asc nulls last, __indicator__."id" asc nulls last
limit 20)::text as "3"
from "public"."plan" as __plan__
order by __plan__."issued_on" desc nulls last, __plan__."id" desc nulls last
limit 5;
