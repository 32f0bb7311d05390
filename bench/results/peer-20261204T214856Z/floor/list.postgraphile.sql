-- The statements of one `list.postgraphile` request, as logged by PostgreSQL (bench/peer.sh regenerates this file).
select
__task__."id" as "0",
__task__."code" as "1",
__task__."title" as "2",
__task__."status" as "3",
__task__."due_year"::text as "4"
from "public"."task" as __task__
order by __task__."doc_order" asc nulls last, __task__."id" asc nulls last
limit 50;
