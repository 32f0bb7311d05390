-- The statements of one `node.postgraphile` request, as logged by PostgreSQL (bench/peer.sh regenerates this file).
select
__task__."id" as "0",
__task__."code" as "1",
__task__."title" as "2",
__task__."status" as "3",
__task__."due_year"::text as "4"
from "public"."task" as __task__
where (__task__."id" = '5fdcc364-665f-5e3a-90eb-b538dd1784cc'::"varchar");
