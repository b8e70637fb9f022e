"""The permission matrix: every URL pattern of the portal, and what each role gets from it.

A row names a URL pattern (`namespace:name`, as tests.url_enumeration names it), the record of
the fixture world its `pk` names, and a status for each role, in the order of ROLES:

    ano  signed out
    ptn  a partner user of the agency the release and the meeting are for (`partner`)
    opt  a partner user of another agency working with the same force (`other_partner`)
    mem  a T&CG member of the force that holds the record (`member`; owner of the action)
    ana  an analyst of that force (`analyst`; author of the products)
    rev  a reviewer of that force (`reviewer`)
    chr  a T&CG chair of that force (`chair`; chair of the meeting)
    adm  an administrator of that force (`admin`)
    out  a person of another force holding every role there (`outsider`)
    low  an analyst of the force whose vetting (RV) is below the marking of the products and the
         action (SECRET), not of the strategy or the meeting (`low_vetting`)
    su   a superuser with no role in any unit (`superuser`)

Statuses: a number is the HTTP status; `in` is a redirect to the portal's sign-in page, `ain`
to the Django admin's sign-in page, `302` a redirect anywhere else (a form's way back, a page
that moved on); `rld` is a 200 with HX-Refresh and no content (the meeting screen's poll: the
screen reloads through its page, which refuses as it should).

A table of "post" rows is for URLs that take POST (PATCH, DELETE): the role sends that method
with an empty body, so that 400 (or a form's `302` back) says the role passed the checks that
come before the form; the same URL must answer GET with 405 or with the same refusal.

A new URL pattern needs its row here (the test fails, naming it); a row whose pattern is gone
fails too. The Django admin's patterns are one group (`admin:`): every one of them needs a
staff superuser, and a few of them are rows.
"""

from dataclasses import dataclass, field

ROLES = (
    "anonymous",
    "partner",
    "other_partner",
    "member",
    "analyst",
    "reviewer",
    "chair",
    "admin",
    "outsider",
    "low_vetting",
    "superuser",
)

LOGIN = "in"
ADMIN_LOGIN = "ain"
ELSEWHERE = "302"
RELOAD = "rld"
STATUSES = {"200", "201", "204", "400", "403", "404", "405"}
TOKENS = {LOGIN, ADMIN_LOGIN, ELSEWHERE, RELOAD, *STATUSES}

# Every name the URLconf gives under this prefix is covered by the admin's rows.
ADMIN_GROUP = "admin:"
# A query that stands for the poll ticket the meeting's screen mints for the role's session.
SCREEN_TICKET = "ticket=<minted for the role's session>"


@dataclass(frozen=True)
class Row:
    name: str
    record: str | None
    method: str
    statuses: tuple[str, ...]
    # URL parameters other than the record's own, by name: a record of the world, or a value.
    params: dict = field(default_factory=dict)
    query: str = ""
    # Role -> what the code answers today that it should not (the case is a strict xfail).
    wrong: dict = field(default_factory=dict)

    def expected(self, role: str) -> str:
        return self.statuses[ROLES.index(role)]


def rows(record: str | None, method: str, table: dict[str, str]) -> list[Row]:
    """A row for each URL pattern of `table` (name: statuses), naming `record`, sent `method`."""
    built = []
    for name, statuses in table.items():
        tokens = tuple(statuses.split())
        assert len(tokens) == len(ROLES), f"{name}: {len(tokens)} statuses, {len(ROLES)} roles"
        assert set(tokens) <= TOKENS, f"{name}: {set(tokens) - TOKENS} are not statuses"
        options = OPTIONS.get(name, {})
        built.append(Row(name, record, method, tokens, wrong=WRONG.get(name, {}), **options))
    return built


# What the code answers today that it should not: each such case is a strict xfail. Remove an
# entry when the code is right and its cases pass.
WRONG: dict[str, dict[str, str]] = {}

# URL parameters and query strings the defaults do not give.
OPTIONS = {
    "api:agency-people-remove": {"params": {"membership_pk": "agency_membership"}},
    "partners:agency_user_remove": {"params": {"membership_pk": "agency_membership"}},
    "people:revoke": {"params": {"membership_pk": "police_membership"}},
    "tasking:requirement_item_edit": {"params": {"item_pk": "requirement_item"}},
    "tasking:requirement_item_close": {"params": {"item_pk": "requirement_item"}},
    "tasking:requirement_item_detail": {"params": {"item_pk": "requirement_item"}},
    "tasking:requirement_item_product_link": {"params": {"item_pk": "requirement_item"}},
    "api:requirement-item-unlink-product": {"params": {"link_pk": "item_product"}},
    "tasking:requirement_item_product_unlink": {
        "params": {"item_pk": "requirement_item", "link_pk": "item_product"}
    },
    "tasking:agenda_item_edit": {"params": {"item_pk": "agenda_item"}},
    "tasking:unit_briefings": {"params": {"unit_pk": "unit"}},
    "tasking:request_send": {"params": {"meeting_pk": "meeting"}},
    "tasking:meeting_sitting_decide": {
        "params": {"subject": "control-strategy", "strategy_pk": "strategy"}
    },
    "tasking:agenda_item_move": {"params": {"item_pk": "agenda_item"}},
    "tasking:agenda_item_delete": {"params": {"item_pk": "agenda_item"}},
    "tasking:partner_attendee_remove": {"params": {"invitee_pk": "partner_invitee"}},
    "api:product-compare": {"query": "a=1&b=1"},
    "products:version_compare": {"query": "a=1&b=1"},
    "tasking:meeting_screen_poll": {"query": SCREEN_TICKET},
    "search": {"query": "q=burglary"},
    "api:not-found": {"params": {"address": "v1/products/not-a-number/"}},
    "tasking:meeting_bids": {"params": {"meeting_pk": "next_meeting"}},
    "tasking:bid_submit": {"params": {"meeting_pk": "next_meeting"}},
}

# fmt: off
ROWS = [
    # Signing in and out, the dashboard, notifications and the health check.
    *rows(None, "get", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "login":                                "200 302 302 302 302 302 302 302 302 302 302",
        "second_factor":                        "in  200 200 200 200 200 200 200 200 200 200",
        "password_change":                      "in  200 200 200 200 200 200 200 200 200 200",
        "dashboard":                            "in  200 200 200 200 200 200 200 200 200 200",
        "healthz":                              "200 200 200 200 200 200 200 200 200 200 200",
        "notifications:list":                   "in  200 200 200 200 200 200 200 200 200 200",
        "notification_preferences":             "in  200 200 200 200 200 200 200 200 200 200",
        "search":                               "in  404 404 200 200 200 200 200 200 200 200",
        # The TT&CG's profiles due for review: without its unit, 400 says the role passed.
        "api:product-due-for-review":           "403 404 404 400 400 400 400 400 400 400 400",
    }),
    *rows(None, "post", {
        "logout":                               "in  in  in  in  in  in  in  in  in  in  in",
        "notifications:read_all":               "in  302 302 302 302 302 302 302 302 302 302",
    }),
    *rows("notification", "post", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "notifications:open":                   "in  404 404 302 404 404 404 404 404 404 404",
        "notifications:read":                   "in  404 404 302 404 404 404 404 404 404 404",
    }),

    # The API's own pages.
    *rows(None, "get", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "api:me":                               "403 404 404 200 200 200 200 200 200 200 200",
        "api:api-root":                         "403 404 404 200 200 200 200 200 200 200 200",
        "api:api-root.<format>":                "403 404 404 200 200 200 200 200 200 200 200",
        "api:schema":                           "403 404 404 200 200 200 200 200 200 200 200",
        "api:docs":                             "403 404 404 200 200 200 200 200 200 200 200",
        "api:not-found":                        "404 404 404 404 404 404 404 404 404 404 404",
    }),
    *rows(None, "post", {
        "api:me-token":                         "403 404 404 201 201 201 201 201 201 201 201",
    }),

    # Units, people and the audit log: administrators, each over their own units.
    *rows("unit", "get", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "api:unit-list":                        "403 404 404 200 200 200 200 200 200 200 200",
        "api:unit-list.<format>":               "403 404 404 200 200 200 200 200 200 200 200",
        "api:unit-tree":                        "403 404 404 200 200 200 200 200 200 200 200",
        "api:unit-tree.<format>":               "403 404 404 200 200 200 200 200 200 200 200",
        "api:unit-detail":                      "403 404 404 200 200 200 200 200 200 200 200",
        "api:unit-detail.<format>":             "403 404 404 200 200 200 200 200 200 200 200",
        "units:tree":                           "in  404 404 403 403 403 403 200 200 403 200",
        "units:detail":                         "in  404 404 403 403 403 403 200 200 403 200",
        "units:create":                         "in  404 404 403 403 403 403 200 403 403 200",
        "units:rename":                         "in  404 404 403 403 403 403 200 403 403 200",
        "units:move":                           "in  404 404 403 403 403 403 200 403 403 200",
        "units:deactivate":                     "in  404 404 403 403 403 403 200 403 403 200",
        "admin:nim_portal_unit_change":         "ain ain ain ain ain ain ain ain ain ain 200",
    }),
    *rows("unit", "post", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "api:unit-deactivate":                  "403 404 404 400 400 400 400 400 400 400 400",
        "api:unit-deactivate.<format>":         "403 404 404 400 400 400 400 400 400 400 400",
        "api:unit-move":                        "403 404 404 400 400 400 400 400 400 400 400",
        "api:unit-move.<format>":               "403 404 404 400 400 400 400 400 400 400 400",
        "api:unit-reactivate":                  "403 404 404 403 403 403 403 400 403 403 400",
        "api:unit-reactivate.<format>":         "403 404 404 403 403 403 403 400 403 403 400",
        "units:reactivate":                     "in  404 404 403 403 403 403 302 403 403 302",
    }),
    *rows("member", "get", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "people:list":                          "in  404 404 403 403 403 403 200 200 403 200",
        "people:create":                        "in  404 404 403 403 403 403 200 200 403 200",
        "people:detail":                        "in  404 404 403 403 403 403 200 404 403 200",
        "people:vetting":                       "in  404 404 403 403 403 403 200 404 403 200",
        "audit:log":                            "in  404 404 403 403 403 403 200 200 403 200",
        "audit:export":                         "in  404 404 403 403 403 403 200 200 403 200",
    }),
    # The job pipeline's staff page: system administrators (police superusers) only.
    *rows("job", "get", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "jobs:list":                            "in  404 404 403 403 403 403 403 403 403 200",
    }),
    *rows("job", "post", {
        "jobs:retry":                           "in  404 404 403 403 403 403 403 403 403 302",
    }),
    # A job's progress shows only to those its kind's app lets see its record: an agency's PDF
    # of the release to the police staff who see the release.
    *rows("document_job", "get", {
        "job_progress":                         "in  404 404 200 200 200 200 200 404 404 404",
    }),
    *rows("member", "post", {
        "people:grant":                         "in  404 404 403 403 403 403 400 404 403 400",
        "people:revoke":                        "in  404 404 403 403 403 403 302 404 403 302",
    }),

    # Products: the published SECRET strategic assessment; the Django admin.
    *rows("product", "get", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "api:product-list":                     "403 404 404 200 200 200 200 200 200 200 200",
        "api:product-detail":                   "403 404 404 200 200 200 200 200 404 404 404",
        # Its readers' feedback: for its author (the analyst) and the reviewers over its unit.
        "api:product-feedback":                 "403 404 404 403 200 200 403 403 404 404 404",
        "api:product-compare":                  "403 404 404 200 200 200 200 200 404 404 404",
        "api:product-review-comments":          "403 404 404 200 200 200 200 200 404 404 404",
        "api:product-tor":                      "403 404 404 200 200 200 200 200 404 404 404",
        "api:product-version":                  "403 404 404 200 200 200 200 200 404 404 404",
        "api:product-versions":                 "403 404 404 200 200 200 200 200 404 404 404",
        "products:register":                    "in  404 404 200 200 200 200 200 200 200 200",
        "products:commission":                  "in  404 404 403 200 200 200 403 200 200 403",
        "products:detail":                      "in  404 404 200 200 200 200 200 404 404 404",
        "products:details":                     "in  404 404 403 200 403 403 403 404 404 404",
        "products:terms":                       "in  404 404 200 200 200 200 200 404 404 404",
        "products:version_detail":              "in  404 404 200 200 200 200 200 404 404 404",
        "products:version_compare":             "in  404 404 200 200 200 200 200 404 404 404",
        "products:history":                     "in  404 404 403 200 200 403 200 404 404 404",
        "products:version_print":               "in  404 404 200 200 200 200 200 404 404 404",
        # The admin lists only what its user may read: the superuser is sent back to its index.
        "admin:index":                          "ain ain ain ain ain ain ain ain ain ain 200",
        "admin:products_product_changelist":    "ain ain ain ain ain ain ain ain ain ain 200",
        "admin:products_product_change":        "ain ain ain ain ain ain ain ain ain ain 302",
    }),
    *rows("product", "post", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "api:product-approve":                  "403 404 404 403 403 400 403 403 404 404 404",
        "api:product-close":                    "403 404 404 400 400 400 400 400 404 404 404",
        "api:product-grant-need-to-know":       "403 404 404 400 400 400 400 400 404 404 404",
        "api:product-return-":                  "403 404 404 403 403 400 403 403 404 404 404",
        "api:product-section-add":              "403 404 404 400 400 400 400 400 404 404 404",
        "api:product-section-reorder":          "403 404 404 400 400 400 400 400 404 404 404",
        "api:product-share":                    "403 404 404 400 400 400 400 400 404 404 404",
        "api:product-submit":                   "403 404 404 403 400 403 403 403 404 404 404",
        "api:product-tor-agree":                "403 404 404 403 400 403 400 403 404 404 404",
        "products:submit":                      "in  404 404 403 302 403 403 403 404 404 404",
        "products:return":                      "in  404 404 403 403 400 403 403 404 404 404",
        "products:approve":                     "in  404 404 403 403 302 403 403 404 404 404",
        "products:close":                       "in  404 404 400 400 400 400 400 404 404 404",
        # Feedback by a reader who did not write it (an empty form goes back with its message).
        "products:feedback":                    "in  404 404 302 403 302 302 302 404 404 404",
        "products:share":                       "in  404 404 400 400 400 400 400 404 404 404",
        "products:grant":                       "in  404 404 400 400 400 400 400 404 404 404",
        "products:terms_agree":                 "in  404 404 403 302 403 302 403 404 404 404",
    }),
    # The SECRET problem profile being drafted (by the analyst), and its first section.
    *rows("draft", "get", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "products:section_edit":                "in  404 404 403 200 403 403 403 404 404 404",
        # Without a marking: 400 says the role passed the checks.
        "products:section_withheld":            "in  404 404 403 400 403 403 403 404 404 404",
        "products:submit_check":                "in  404 404 403 200 403 403 403 404 404 404",
    }),
    *rows("draft", "post", {
        "products:section_preview":             "in  404 404 403 200 403 403 403 404 404 404",
        "products:section_autosave":            "in  404 404 403 400 403 403 403 404 404 404",
        "products:section_add":                 "in  404 404 302 302 302 302 302 404 404 404",
        "products:section_reorder":             "in  404 404 302 302 302 302 302 404 404 404",
    }),
    *rows("draft", "patch", {
        "api:product-section-update":           "403 404 404 400 400 400 400 400 404 404 404",
    }),

    # Partner agencies: administrators; agency A works with the force's BCU.
    *rows("agency", "get", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "api:agency-list":                      "403 404 404 403 403 403 403 200 200 403 200",
        "api:agency-detail":                    "403 404 404 403 403 403 403 200 404 403 200",
        "partners:agency_list":                 "in  404 404 403 403 403 403 200 200 403 200",
        "partners:agency_create":               "in  404 404 403 403 403 403 200 200 403 200",
        "partners:agency_detail":               "in  404 404 403 403 403 403 200 404 403 200",
        "partners:agency_update":               "in  404 404 403 403 403 403 200 404 403 200",
        "partners:agency_user_add":             "in  404 404 403 403 403 403 200 404 403 200",
    }),
    *rows("agency", "post", {
        "api:agency-people-add":                "403 404 404 403 403 403 403 400 404 403 400",
        "partners:agency_user_remove":          "in  404 404 403 403 403 403 302 404 403 302",
    }),
    *rows("agency", "delete", {
        "api:agency-people-remove":             "403 404 404 403 403 403 403 204 404 403 204",
    }),

    # The release of the assessment to agency A (OFFICIAL-SENSITIVE), rendered and accepted by
    # its partner user; the police see it while they may read the product.
    *rows("release", "get", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "api:release-list":                     "403 404 404 200 200 200 200 200 200 200 200",
        "api:release-detail":                   "403 404 404 200 200 200 200 200 404 404 404",
        "api:partner-release-list":             "403 200 200 404 404 404 404 404 404 404 404",
        "api:partner-release-detail":           "403 200 404 404 404 404 404 404 404 404 404",
        "partners:release_list":                "in  404 404 200 200 200 200 200 200 200 200",
        "partners:release_choose_version":      "in  404 404 200 200 200 200 200 200 200 200",
        "partners:release_prepare":             "in  404 404 403 200 403 403 403 404 404 404",
        "partners:release_detail":              "in  404 404 200 200 200 200 200 404 404 404",
        "partners:release_documents":           "in  404 404 302 302 302 302 302 404 404 404",
        "partners:area_releases":               "in  200 200 404 404 404 404 404 404 404 404",
        "partners:area_release":                "in  200 404 404 404 404 404 404 404 404 404",
        "partners:area_download":               "in  200 404 404 404 404 404 404 404 404 404",
    }),
    *rows("release", "post", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "api:release-acknowledge-warnings":     "403 404 404 400 400 400 400 400 404 404 404",
        "api:release-approve":                  "403 404 404 403 403 400 403 403 404 404 404",
        "api:release-withdraw":                 "403 404 404 400 400 400 400 400 404 404 404",
        "partners:release_warnings":            "in  404 404 400 400 400 400 400 404 404 404",
        "partners:release_approve":             "in  404 404 403 403 400 403 403 404 404 404",
        "partners:release_withdraw":            "in  404 404 400 400 400 400 400 404 404 404",
        "partners:release_document_retry":      "in  404 404 403 400 400 403 403 404 404 404",
        "partners:area_acknowledge":            "in  302 404 404 404 404 404 404 404 404 404",
        "partners:area_copy":                   "in  302 404 404 404 404 404 404 404 404 404",
    }),

    # The force's control strategy (OFFICIAL-SENSITIVE), its priority and requirement item.
    *rows("strategy", "get", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "api:control-strategy-list":            "403 404 404 200 200 200 200 200 200 200 200",
        "api:control-strategy-detail":          "403 404 404 200 200 200 200 200 404 200 404",
        "api:control-strategy-intelligence-requirement":
                                                "403 404 404 200 200 200 200 200 404 200 404",
        "tasking:strategy_list":                "in  404 404 200 200 200 200 200 200 200 200",
        "tasking:strategy_draft":               "in  404 404 403 403 403 200 403 200 403 403",
        "tasking:requirement_current":          "in  404 404 200 200 200 200 200 200 200 200",
        "tasking:strategy_detail":              "in  404 404 200 200 200 200 200 404 200 404",
        "tasking:priority_add":                 "in  404 404 403 403 403 200 403 404 403 404",
        "tasking:priority_edit":                "in  404 404 403 403 403 200 403 404 403 404",
        "tasking:priority_score":               "in  404 404 403 403 403 200 403 404 403 404",
        "tasking:priority_override":            "in  404 404 403 403 403 200 403 404 403 404",
        "tasking:requirement_item_add":         "in  404 404 403 403 403 200 403 404 403 404",
        "tasking:requirement_detail":           "in  404 404 200 200 200 200 200 404 200 404",
        "tasking:requirement_item_edit":        "in  404 404 403 403 403 200 403 404 403 404",
        "tasking:requirement_item_close":       "in  404 404 403 403 403 200 403 404 403 404",
        "tasking:requirement_item_detail":      "in  404 404 200 200 200 200 200 404 200 404",
    }),
    *rows("strategy", "post", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "api:control-strategy-approve":         "403 404 404 403 403 403 400 403 404 403 404",
        "api:control-strategy-intelligence-requirement-approve":
                                                "403 404 404 403 403 403 400 403 404 403 404",
        "api:control-strategy-priorities":      "403 404 404 400 400 400 400 400 404 400 404",
        "tasking:strategy_approve":             "in  404 404 403 403 403 302 403 404 403 404",
        "tasking:requirement_approve":          "in  404 404 403 403 403 302 403 404 403 404",
        "tasking:requirement_item_product_link":
                                                "in  404 404 403 403 403 400 403 404 403 404",
        # The low-vetting analyst may not read the SECRET assessment: its link is not there.
        "tasking:requirement_item_product_unlink":
                                                "in  404 404 403 403 403 302 403 404 404 404",
    }),
    # The ST&CG sitting that approved the strategy: its chair evaluates the priorities there
    # (one row: its form posts to the same URL).
    *rows("stcg", "get", {
        "tasking:meeting_priority_evaluations": "in  404 404 403 403 403 200 403 404 403 404",
    }),

    *rows("priority", "get", {
        "api:priority-detail":                  "403 404 404 200 200 200 200 200 404 200 404",
    }),
    *rows("priority", "post", {
        "api:priority-override-rank":           "403 404 404 400 400 400 400 400 404 400 404",
        "api:priority-requirement-items":       "403 404 404 400 400 400 400 400 404 400 404",
        "api:priority-score":                   "403 404 404 400 400 400 400 400 404 400 404",
    }),
    *rows("requirement_item", "get", {
        "api:requirement-item-list":            "403 404 404 200 200 200 200 200 200 200 200",
        "api:requirement-item-detail":          "403 404 404 200 200 200 200 200 404 200 404",
    }),
    *rows("requirement_item", "get", {
        # The links to the SECRET assessment: read by all its readers, only counted for the rest.
        "api:requirement-item-products":        "403 404 404 200 200 200 200 200 404 200 404",
    }),
    *rows("requirement_item", "post", {
        "api:requirement-item-close":           "403 404 404 400 400 400 400 400 404 400 404",
    }),
    *rows("requirement_item", "delete", {
        # Only the chair (owner of the item) unlinks; the low-vetting analyst cannot see the link.
        "api:requirement-item-unlink-product":  "403 404 404 403 403 403 204 403 404 404 404",
    }),
    *rows(None, "get", {
        "api:priority-evaluation-list":         "403 404 404 200 200 200 200 200 200 200 200",
    }),
    *rows("priority_evaluation", "get", {
        "api:priority-evaluation-detail":       "403 404 404 200 200 200 200 200 404 200 404",
    }),

    # Agency A's information against the requirement: its triage staff (analysts, chairs,
    # administrators) and the agency's own partner.
    *rows("submission", "get", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "api:partner-submission-list":          "403 404 404 200 200 200 200 200 200 200 200",
        "api:partner-submission-detail":        "403 404 404 404 200 404 200 200 404 200 404",
        "tasking:submission_list":              "in  404 404 200 200 200 200 200 200 200 200",
        "tasking:submission_detail":            "in  404 404 404 200 404 200 200 404 200 404",
        "tasking:submission_attachment":        "in  404 404 404 200 404 200 200 404 200 404",
        "tasking:partner_submissions":          "in  200 200 404 404 404 404 404 404 404 404",
        "tasking:partner_submission_create":    "in  200 200 404 404 404 404 404 404 404 404",
        "tasking:partner_submission":           "in  200 404 404 404 404 404 404 404 404 404",
    }),
    *rows("submission", "post", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "api:partner-submission-accept":        "403 404 404 404 400 404 400 400 404 400 404",
        "api:partner-submission-decline":       "403 404 404 404 400 404 400 400 404 400 404",
        "api:partner-submission-grade":         "403 404 404 404 400 404 400 400 404 400 404",
        "api:partner-submission-request-more":  "403 404 404 404 400 404 400 400 404 400 404",
        "tasking:submission_accept":            "in  404 404 404 400 404 400 400 404 400 404",
        "tasking:submission_request_more":      "in  404 404 404 400 404 400 400 404 400 404",
        "tasking:submission_decline":           "in  404 404 404 400 404 400 400 404 400 404",
        "tasking:submission_grade":             "in  404 404 404 400 404 400 400 404 400 404",
        "tasking:partner_submission_follow_up": "in  400 404 404 404 404 404 404 404 404 404",
    }),

    # The force's TT&CG sitting: the member is invited, agency A's partner attends.
    *rows("meeting", "get", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "api:meeting-list":                     "403 404 404 200 200 200 200 200 200 200 200",
        "api:meeting-detail":                   "403 404 404 200 200 200 200 200 404 200 404",
        "tasking:partner_meetings":             "in  200 200 404 404 404 404 404 404 404 404",
        "tasking:partner_meeting_ics":          "in  200 404 404 404 404 404 404 404 404 404",
        "tasking:partner_attendee_meetings":    "in  404 404 200 200 200 200 200 200 200 200",
        "tasking:partner_attendees":            "in  404 404 404 404 404 200 404 404 404 404",
        "tasking:meeting_list":                 "in  404 404 200 200 200 200 200 200 200 200",
        "tasking:meeting_detail":               "in  404 404 200 200 200 200 200 404 200 404",
        "tasking:meeting_ics":                  "in  404 404 200 404 404 404 404 404 404 404",
        "tasking:agenda_item_edit":             "in  404 404 403 403 403 200 403 404 403 404",
        "tasking:meeting_reschedule":           "in  404 404 403 403 403 302 403 404 403 404",
        "tasking:meeting_commission":           "in  404 404 403 403 403 200 403 404 403 404",
        "tasking:meeting_escalate":             "in  404 404 403 403 403 200 403 404 403 404",
        "tasking:meeting_screen":               "in  404 404 200 200 200 200 200 404 200 404",
        "tasking:meeting_screen_live":          "in  404 404 200 200 200 200 200 404 200 404",
        "tasking:meeting_presentation":         "in  404 404 200 200 200 200 200 404 200 404",
        "tasking:meeting_presentation_live":    "in  404 404 200 200 200 200 200 404 200 404",
        "tasking:meeting_screen_poll":          "404 rld rld 204 204 204 204 204 rld 204 rld",
        "tasking:meeting_screen_private":       "in  404 404 403 403 403 200 403 404 403 404",
        "tasking:meeting_screen_private_live":  "in  404 404 403 403 403 200 403 404 403 404",
        "tasking:meeting_screen_controls":      "in  404 404 403 403 403 200 403 404 403 404",
        "tasking:meeting_screen_action_close":  "in  404 404 403 403 403 200 403 404 403 404",
    }),
    *rows("meeting", "post", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "api:meeting-attendance":               "403 404 404 400 400 400 400 400 404 400 404",
        "api:meeting-close":                    "403 404 404 403 403 403 200 403 404 403 404",
        "api:meeting-commission":               "403 404 404 400 400 400 400 400 404 400 404",
        "api:meeting-current-item":             "403 404 404 400 400 400 400 400 404 400 404",
        "api:meeting-decisions":                "403 404 404 400 400 400 400 400 404 400 404",
        "api:meeting-escalate":                 "403 404 404 400 400 400 400 400 404 400 404",
        "api:meeting-invite":                   "403 404 404 400 400 400 400 400 404 400 404",
        "api:meeting-minutes":                  "403 404 404 400 400 400 400 400 404 400 404",
        "api:meeting-open":                     "403 404 404 403 403 403 400 403 404 403 404",
        "api:meeting-reschedule":               "403 404 404 400 400 400 400 400 404 400 404",
        "api:meeting-sitting-decisions":        "403 404 404 400 400 400 400 400 404 400 404",
        "api:meeting-take-back":                "403 404 404 400 400 400 400 400 404 400 404",
        "tasking:partner_attendee_remove":      "in  404 404 404 404 404 302 404 404 404 404",
        "tasking:meeting_open":                 "in  404 404 403 403 403 302 403 404 403 404",
        "tasking:meeting_close":                "in  404 404 403 403 403 302 403 404 403 404",
        "tasking:meeting_current_item":         "in  404 404 302 302 302 302 302 404 302 404",
        "tasking:meeting_attendance":           "in  404 404 302 302 302 302 302 404 302 404",
        "tasking:meeting_invitee_add":          "in  404 404 302 302 302 302 302 404 302 404",
        "tasking:meeting_invitee_remove":       "in  404 404 403 403 403 302 403 404 403 404",
        "tasking:agenda_item_add":              "in  404 404 302 302 302 302 302 404 302 404",
        "tasking:agenda_item_move":             "in  404 404 403 403 403 302 403 404 403 404",
        "tasking:agenda_item_delete":           "in  404 404 403 403 403 302 403 404 403 404",
        "tasking:meeting_decision_add":         "in  404 404 302 302 302 302 302 404 302 404",
        "tasking:meeting_sitting_decide":       "in  404 404 302 302 302 302 302 404 302 404",
        "tasking:meeting_minutes_save":         "in  404 404 400 400 400 400 400 404 400 404",
        "tasking:meeting_screen_open":          "in  404 404 403 403 403 302 403 404 403 404",
        "tasking:meeting_screen_item":          "in  404 404 302 302 302 302 302 404 302 404",
        "tasking:meeting_screen_close":         "in  404 404 403 403 403 302 403 404 403 404",
        "tasking:meeting_screen_decision":      "in  404 404 403 403 403 400 403 404 403 404",
        "tasking:meeting_screen_attendance":    "in  404 404 403 403 403 302 403 404 403 404",
        "tasking:meeting_screen_commission":    "in  404 404 403 403 403 400 403 404 403 404",
        "tasking:meeting_screen_escalate":      "in  404 404 403 403 403 400 403 404 403 404",
        "tasking:meeting_screen_action_raise":  "in  404 404 403 403 403 400 403 404 403 404",
    }),
    *rows("agenda_item", "post", {
        "api:agenda-item-list":                 "403 404 404 400 400 400 400 400 400 400 400",
        "api:agenda-item-move":                 "403 404 404 400 400 400 400 400 404 400 404",
    }),
    *rows("agenda_item", "patch", {
        "api:agenda-item-detail":               "403 404 404 400 400 400 400 400 404 400 404",
    }),
    # A closed TT&CG of the force: its minutes hold the SECRET action.
    *rows("closed_meeting", "get", {
        "tasking:meeting_minutes_pdf":          "in  404 404 200 200 200 200 200 404 200 404",
    }),
    # The meeting cadence: administrators read it; only a superuser changes it.
    *rows("cadence_policy", "get", {
        "tasking:cadence_policies":             "in  404 404 403 403 403 403 200 200 403 200",
        "tasking:cadence_policy_edit":          "in  404 404 403 403 403 403 403 403 403 200",
        "tasking:lapsed_cadences":              "in  404 404 403 403 403 403 200 200 403 200",
    }),

    # An escalation from the BCU's TT&CG up to the force's.
    *rows("escalation", "get", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "api:escalation-list":                  "403 404 404 200 200 200 200 200 200 200 200",
        "api:escalation-detail":                "403 404 404 200 200 200 200 200 404 200 404",
        "tasking:escalation_list":              "in  404 404 200 200 200 200 200 200 200 200",
    }),
    *rows("escalation", "post", {
        "api:escalation-adopt":                 "403 404 404 400 400 400 400 400 404 400 404",
        "api:escalation-return-":               "403 404 404 400 400 400 400 400 404 400 404",
        "tasking:escalation_adopt":             "in  404 404 302 302 302 302 302 404 302 404",
        "tasking:escalation_return":            "in  404 404 302 302 302 302 302 404 302 404",
    }),

    # The SECRET action on the force's log, owned by the member.
    *rows("action", "get", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "api:action-list":                      "403 404 404 200 200 200 200 200 200 200 200",
        "api:action-mine":                      "403 404 404 200 200 200 200 200 200 200 200",
        "api:action-detail":                    "403 404 404 200 200 200 200 200 404 404 404",
        "api:action-updates":                   "403 404 404 200 200 200 200 200 404 404 404",
        "tasking:my_actions":                   "in  404 404 200 200 200 200 200 200 200 200",
        "tasking:action_detail":                "in  404 404 200 200 200 200 200 404 404 404",
        "tasking:action_close":                 "in  404 404 403 403 403 200 200 404 404 404",
        "tasking:action_log":                   "in  404 404 200 200 200 200 200 404 200 404",
        "tasking:action_raise":                 "in  404 404 403 403 403 200 200 404 403 404",
        # A row of My actions is for htmx: asked for as a page, it leads to the action's page.
        "tasking:my_action_row":                "in  404 404 302 302 302 302 302 404 404 404",
    }),
    *rows("action", "post", {
        "api:action-close":                     "403 404 404 400 400 400 400 400 404 404 404",
        "api:action-rag":                       "403 404 404 400 400 400 400 400 404 404 404",
        "api:action-rag-many":                  "403 404 404 400 400 400 400 400 400 400 400",
        "tasking:action_update":                "in  404 404 400 400 400 400 400 404 404 404",
        "tasking:my_actions_rag":               "in  404 404 400 400 400 400 400 400 400 400",
    }),

    # The force's register of capability (the chair and administrator keep it).
    *rows("capability", "get", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "api:capability-list":                  "403 404 404 200 200 200 200 200 200 200 200",
        "api:capability-detail":                "403 404 404 200 200 200 200 200 404 200 404",
        "api:capability-load":                  "403 404 404 400 400 400 400 400 400 400 400",
        "tasking:capability_register":          "in  404 404 200 200 200 200 200 404 200 404",
        "tasking:capability_add":               "in  404 404 403 403 403 200 200 404 403 404",
        "tasking:capability_edit":              "in  404 404 403 403 403 200 200 404 403 404",
    }),
    *rows("capability", "post", {
        "api:capability-retire":                "403 404 404 400 400 400 400 400 404 400 404",
        "tasking:capability_retire":            "in  404 404 403 403 403 302 302 404 403 404",
    }),

    # The member's SECRET bid to the force's next TT&CG (scheduled).
    *rows("bid", "get", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "api:bid-list":                         "403 404 404 200 200 200 200 200 200 200 200",
        "api:bid-detail":                       "403 404 404 200 200 200 200 200 404 404 404",
        "tasking:bid_detail":                   "in  404 404 200 200 200 200 200 404 404 404",
        "tasking:meeting_bids":                 "in  404 404 200 200 200 200 200 404 200 404",
        "tasking:bid_submit":                   "in  404 404 200 200 200 200 200 404 200 404",
    }),
    *rows("bid", "post", {
        "api:bid-rank":                         "403 404 404 400 400 400 400 400 404 404 404",
        "api:bid-accept":                       "403 404 404 400 400 400 400 400 404 404 404",
        "api:bid-decline":                      "403 404 404 400 400 400 400 400 404 404 404",
        "api:bid-defer":                        "403 404 404 400 400 400 400 400 404 404 404",
        "tasking:bid_rank":                     "in  404 404 400 400 400 400 400 404 404 404",
        "tasking:bid_accept":                   "in  404 404 400 400 400 400 400 404 404 404",
        "tasking:bid_decline":                  "in  404 404 400 400 400 400 400 404 404 404",
        "tasking:bid_defer":                    "in  404 404 400 400 400 400 400 404 404 404",
    }),
    # A unit's patrol briefing for a shift (tasking.briefings): police readers over the unit.
    *rows("briefing", "get", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "api:briefing-list":                    "403 404 404 200 200 200 200 200 200 200 200",
        "api:briefing-detail":                  "403 404 404 200 200 200 200 200 404 200 404",
        "tasking:briefing_list":                "in  404 404 200 200 200 200 200 200 200 200",
        "tasking:briefing_detail":              "in  404 404 200 200 200 200 200 404 200 404",
        "tasking:briefing_pdf":                 "in  404 404 302 302 302 302 302 404 302 404",
        "tasking:unit_briefings":               "in  404 404 200 200 200 200 200 404 200 404",
    }),
    # The sitting's request to the neighbouring force's T&CG (tasking.requests).
    *rows("sideways_request", "get", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "api:sideways-request-list":            "403 404 404 200 200 200 200 200 200 200 200",
        "api:sideways-request-detail":          "403 404 404 200 200 200 200 200 200 200 404",
        "tasking:request_list":                 "in  404 404 200 200 200 200 200 200 200 200",
    }),
    *rows("sideways_request", "post", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "api:sideways-request-accept":          "403 404 404 400 400 400 400 400 400 400 404",
        "api:sideways-request-decline":         "403 404 404 400 400 400 400 400 400 400 404",
        "tasking:request_accept":               "in  404 404 302 302 302 302 302 302 302 404",
        "tasking:request_decline":              "in  404 404 302 302 302 302 302 302 302 404",
    }),
    *rows("meeting", "get", {
        #                                        ano ptn opt mem ana rev chr adm out low su
        "tasking:request_send":                 "in  404 404 403 403 403 200 403 404 403 404",
    }),
]
# fmt: on
