"""Every text a person sees, in English and Japanese, side by side.

Each entry is a `Text` with the same `{placeholders}` in both languages (a test checks it).
Renderers fill them with values that are already escaped for mrkdwn.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from leads.language import Language


@dataclass(frozen=True, slots=True)
class Text:
    """One message in both languages."""

    en: str
    ja: str

    def __call__(self, language: Language, /, **values: object) -> str:
        """The message in `language` with its placeholders filled."""
        template = self.ja if language == "ja" else self.en
        return template.format(**values) if values else template


def _table(entries: dict[str, Text]) -> Mapping[str, Text]:
    return MappingProxyType(entries)


# --- stages, interests, sources and other choices ---------------------------------------

STAGES: Final = _table(
    {
        "new": Text("New", "新規"),
        "nurturing": Text("Nurturing", "育成中"),
        "hot": Text("Hot", "ホット"),
        "claimed": Text("Claimed", "担当決定"),
        "meeting": Text("Meeting booked", "商談化"),
        "won": Text("Won", "受注"),
        "lost": Text("Lost", "失注"),
        "recycled": Text("Recycled", "再育成"),
    }
)
INTERESTS: Final = _table(
    {
        "hot": Text("Hot", "ホット"),
        "warm": Text("Warm", "ウォーム"),
        "cold": Text("Cold", "コールド"),
    }
)
SOURCES: Final = _table(
    {
        "event": Text("Event booth", "展示会ブース"),
        "seminar": Text("Seminar", "セミナー"),
        "web": Text("Web form", "Webフォーム"),
        "referral": Text("Referral", "紹介"),
        "inbound": Text("Inbound call or email", "問い合わせ（電話・メール）"),
        "manual": Text("Other", "その他"),
    }
)
BUDGETS: Final = _table(
    {
        "large": Text("Large", "大"),
        "medium": Text("Medium", "中"),
        "small": Text("Small", "小"),
        "none": Text("No budget", "予算なし"),
        "unknown": Text("Unknown", "不明"),
    }
)
TIMELINES: Final = _table(
    {
        "now": Text("Within a month", "1か月以内"),
        "quarter": Text("This quarter", "今四半期"),
        "year": Text("This year", "今年度"),
        "later": Text("Later", "未定・それ以降"),
        "unknown": Text("Unknown", "不明"),
    }
)
COMPANY_SIZES: Final = _table(
    {
        "1-49": Text("1-49 people", "1〜49名"),
        "50-249": Text("50-249 people", "50〜249名"),
        "250-999": Text("250-999 people", "250〜999名"),
        "1000+": Text("1000+ people", "1000名以上"),
        "unknown": Text("Unknown", "不明"),
    }
)
ENGAGEMENT_KINDS: Final = _table(
    {
        "email_opened": Text("email opened", "メール開封"),
        "email_clicked": Text("email link clicked", "メール内リンクのクリック"),
        "webinar_registered": Text("webinar registration", "ウェビナー申込"),
        "webinar_attended": Text("webinar attended", "ウェビナー参加"),
        "whitepaper_downloaded": Text("whitepaper downloaded", "ホワイトペーパーのダウンロード"),
        "pricing_page_visited": Text("pricing page visited", "料金ページの閲覧"),
        "unsubscribed": Text("unsubscribed", "配信停止"),
    }
)
TITLE_LEVELS: Final = _table(
    {
        "c_level": Text("C-level", "経営層"),
        "director": Text("Director", "部長クラス"),
        "manager": Text("Manager", "課長クラス"),
        "student": Text("Student", "学生"),
    }
)

# --- score reasons: "+15 title: Director" -----------------------------------------------

REASONS: Final = _table(
    {
        "title": Text("title: {level}", "役職: {level}"),
        "company_size": Text("company size: {size}", "企業規模: {size}"),
        "industry": Text("industry: {industry}", "業種: {industry}"),
        "budget": Text("budget: {budget}", "予算: {budget}"),
        "timeline": Text("timeline: {timeline}", "導入時期: {timeline}"),
        "free_mail": Text("free-mail domain", "フリーメール"),
        "competitor": Text("competitor domain", "競合のドメイン"),
        "interest": Text("interest: {interest}", "関心度: {interest}"),
        "source": Text("source: {source}", "流入元: {source}"),
        "repeat_touch": Text("repeat touch", "再接触"),
        "engagement_event": Text("{kind}", "{kind}"),
        "nurture_step": Text("nurture step done", "育成ステップ完了"),
    }
)
REASON_UNKNOWN: Final = Text("{code}", "{code}")

# --- the New lead / Edit lead form -----------------------------------------------------

MODAL_NEW: Final = Text("New lead", "新規リード")
MODAL_EDIT: Final = Text("Edit lead", "リードを編集")
MODAL_SAVE: Final = Text("Save", "保存")
MODAL_CANCEL: Final = Text("Cancel", "キャンセル")
CHOOSE: Final = Text("Choose…", "選択してください")
FIELDS: Final = _table(
    {
        "name": Text("Name", "氏名"),
        "company": Text("Company", "会社名"),
        "email": Text("Email", "メールアドレス"),
        "phone": Text("Phone", "電話番号"),
        "title": Text("Job title", "役職"),
        "interest": Text("Interest", "関心度"),
        "source": Text("Source", "流入元"),
        "event": Text("Event", "イベント"),
        "product": Text("Product interest", "関心のある製品"),
        "company_size": Text("Company size", "企業規模"),
        "industry": Text("Industry", "業種"),
        "budget": Text("Budget", "予算"),
        "timeline": Text("Timeline", "導入時期"),
        "consent": Text("Consent", "連絡の同意"),
        "opted_out": Text("Opted out", "配信停止"),
        "notes": Text("Notes", "メモ"),
    }
)
NAME_PLACEHOLDER: Final = Text("Yamada Taro", "山田 太郎")
EVENT_PLACEHOLDER: Final = Text("Tokyo Expo 2026", "東京展示会2026")
CONSENT_OPTION: Final = Text("They agreed to be contacted", "連絡することに同意済み")
ADD_NOTE: Final = Text("Add a note", "メモを追加")
NOTES_KEPT: Final = Text(
    "This lead has {count} characters of notes from earlier captures; they are kept. Anything"
    " you write below is added to them.",
    "このリードには過去の獲得時のメモが{count}文字あり、そのまま残ります。下に書いた内容は追記されます。",
)

# --- field problems ---------------------------------------------------------------------

PROBLEMS: Final = _table(
    {
        "email_invalid": Text(
            "Enter an email like name@company.com",
            "name@company.com の形式でメールアドレスを入力してください",
        ),
        "phone_characters": Text(
            "Use only digits, spaces and + - . ( ), with an optional extension like x123",
            "数字・スペース・+ - . ( ) だけで入力してください（内線は x123 のように）",
        ),
        "phone_digits": Text(
            "Enter a phone number with 6 to 15 digits",
            "電話番号は6〜15桁の数字で入力してください",
        ),
        "name_or_email": Text(
            "Give at least a name or an email",
            "氏名かメールアドレスのどちらかを入力してください",
        ),
        "too_long": Text(
            "Keep this under {limit} characters (it has {length})",
            "{limit}文字以内にしてください（現在{length}文字）",
        ),
        "email_taken": Text(
            "Another lead already has this email; log a touch on it with /lead instead.",
            "このメールアドレスは別のリードで登録済みです。"
            "/lead でそのリードに接触を追加してください。",
        ),
        "deal_value_invalid": Text(
            "Enter an amount like 1200000, or leave it empty",
            "1200000 のように金額を入力するか、空欄にしてください",
        ),
        "lost_reason_required": Text("Choose a reason", "理由を選んでください"),
        "lost_detail_required": Text(
            "Say in a few words why, for Other", "「その他」の場合は理由を簡単に書いてください"
        ),
        "lost_detail_too_long": Text("Keep this under 500 characters", "500文字以内にしてください"),
        "outcome_required": Text("Choose the outcome", "結果を選んでください"),
        "blank_name": Text(
            "The name has no visible characters",
            "氏名に表示できる文字がありません",
        ),
        "json_object": Text(
            "Send a JSON object with the lead's fields",
            "リードの項目を JSON オブジェクトで送ってください",
        ),
        "not_text": Text(
            "Send this as text (a JSON string)", "文字列（JSON の string）で送ってください"
        ),
        "not_true_false": Text("Send true or false", "true か false で送ってください"),
        "interest_unknown": Text(
            "Use hot, warm or cold",
            "hot・warm・cold（ホット・ウォーム・コールド）のいずれかにしてください",
        ),
        "email_required": Text("Give the email", "メールアドレスを入力してください"),
        "engagement_kind_unknown": Text(
            "Use one of email_opened, email_clicked, webinar_registered, webinar_attended,"
            " whitepaper_downloaded, pricing_page_visited, unsubscribed",
            "email_opened、email_clicked、webinar_registered、webinar_attended、"
            "whitepaper_downloaded、pricing_page_visited、unsubscribed のいずれかにしてください",
        ),
        "yes_no_unreadable": Text(
            "Write yes or no (or leave it empty)",
            "「はい」か「いいえ」で書いてください（空欄も可）",
        ),
    }
)

# --- replies to /lead -------------------------------------------------------------------

HELP: Final = Text(
    "\n".join(
        [
            "*How to log a lead with `/lead`*",
            "• `/lead` opens the *New lead* form.",
            "• `/lead Yamada Taro, Acme Corp, taro@acme.co.jp, 090-1234-5678, hot` logs a lead"
            " from one line: name, company, email, phone, job title and an interest word (hot,"
            " warm or cold), separated by commas. Order is flexible; `Jane Doe (Initech)"
            " <jane@example.com> warm` works too, and so does a business card pasted as"
            " several lines.",
            "• `/lead event Tokyo Expo 2026` sets the event you are working at; your leads get"
            " it as their event and *Event booth* as their source.",
            "• `/lead event` shows your current event; `/lead event clear` clears it.",
            "• `/lead stats 30d` shows the funnel of the leads captured in the last 30 days"
            " (also `7d`, `90d` and `all`): by source and by event, only to you.",
            "• `/lead mine` lists your nurture tasks due this week and your open leads, only"
            " to you.",
            "• `/lead help` shows this message.",
            "The same person (same email, or same phone) logged twice is one lead with two"
            " touches. Hot leads go straight to sales.",
        ]
    ),
    "\n".join(
        [
            "*`/lead` でリードを登録する方法*",
            "• `/lead` だけで *新規リード* フォームが開きます。",
            "• `/lead 山田太郎、株式会社アクメ、taro@acme.co.jp、090-1234-5678、ホット`"
            " のように1行で登録できます。氏名・会社名・メール・電話・役職・関心度"
            "（ホット／ウォーム／コールド）を読点やカンマで区切ってください。順番は自由です。"
            "名刺の内容を複数行で貼り付けても読み取ります。",
            "• `/lead event 東京展示会2026` で今いるイベントを設定します。登録したリードにその"
            "イベントと流入元 *展示会ブース* が付きます。",
            "• `/lead event` で現在のイベントを表示、`/lead event clear` で解除します。",
            "• `/lead stats 30d` で直近30日間に獲得したリードのファネルを流入元別・イベント別に"
            "表示します（`7d`、`90d`、`all` も指定できます）。表示はあなたにだけ見えます。",
            "• `/lead mine` で今週期限のあなたの育成タスクと、担当中のリードを表示します"
            "（あなたにだけ見えます）。",
            "• `/lead help` でこの説明を表示します。",
            "同じ人（同じメールアドレスか同じ電話番号）を2回登録しても、リードは1件のまま"
            "接触が2回になります。ホットリードはすぐに営業へ通知されます。",
        ]
    ),
)
NO_EVENT: Final = Text(
    "You have no current event. Set one with `/lead event <name>`.",
    "現在のイベントは設定されていません。`/lead event <イベント名>` で設定できます。",
)
CURRENT_EVENT: Final = Text("Your current event is *{event}*.", "現在のイベントは *{event}* です。")
EVENT_SET: Final = Text(
    "Your current event is now *{event}*. Leads you log get it as their event.",
    "現在のイベントを *{event}* にしました。これから登録するリードに付きます。",
)
EVENT_CLEARED: Final = Text("Your current event is cleared.", "現在のイベントを解除しました。")
EVENT_TOO_LONG: Final = Text(
    "Keep the event name under {limit} characters.",
    "イベント名は{limit}文字以内にしてください。",
)
NOT_YET: Final = Text(
    "`/lead {word}` is not available yet. Try `/lead help`.",
    "`/lead {word}` はまだ使えません。`/lead help` をご覧ください。",
)
SAVED_NEW: Final = Text("Saved a new lead: {name}", "新しいリードを登録しました：{name}")
SAVED_TOUCH: Final = Text(
    "Added a touch to an existing lead: {name}", "既存のリードに接触を追加しました：{name}"
)
SCORE_LINE: Final = Text("Score *{score}*: {reasons}", "スコア *{score}*：{reasons}")
NOW_HOT: Final = Text(
    ":fire: It is hot: sales has been alerted.",
    ":fire: ホットリードです。営業に通知しました。",
)
OWNER_TOLD: Final = Text(
    "{owner} owns this lead and has been told you met them again.",
    "担当の {owner} さんに、再接触があったことを伝えました。",
)
FILLED: Final = Text("Added: {fields}.", "追加した項目：{fields}")
INTEREST_WORD: Final = Text("interest {interest}", "関心度 {interest}")
INVALID_CAPTURE: Final = Text(
    "Nothing was saved. Please fix:\n{problems}\nTry `/lead help`, or `/lead` alone to use"
    " the form.",
    "保存していません。次の点を直してください：\n{problems}\n使い方は `/lead help`、"
    "フォームは `/lead` だけで開けます。",
)
EDIT_BUTTON: Final = Text("Edit", "編集")
EDIT_SAVED: Final = Text(
    "Saved your changes to *{name}*: {fields}.", "*{name}* の変更を保存しました：{fields}"
)
EDIT_UNCHANGED: Final = Text("Nothing changed on *{name}*.", "*{name}* に変更はありませんでした。")
EDIT_NOT_HOT: Final = Text(
    "Score *{score}*: not hot yet (hot from {threshold}).",
    "スコア *{score}*：まだホットではありません（{threshold}以上でホット）。",
)
EDIT_STILL_HOT: Final = Text(
    "Score *{score}*; its card shows the new values.",
    "スコア *{score}*。カードも新しい内容に更新します。",
)
LEAD_GONE: Final = Text(
    "This lead no longer exists. It may have been deleted.",
    "このリードは見つかりません。削除された可能性があります。",
)
NO_ACTOR: Final = Text(
    "Slack did not say who sent this, or from which channel, so nothing was saved.",
    "送信した人またはチャンネルが不明なため、何も保存していません。",
)
SORRY: Final = Text(
    "Something went wrong on our side and nothing was saved. Please try again in a moment.",
    "こちらの不具合で保存できませんでした。少し待ってからもう一度お試しください。",
)

# --- the hot-lead card ------------------------------------------------------------------

CARD_TITLE: Final = Text(":fire: Hot lead: {name}", ":fire: ホットリード：{name}")
CARD_FALLBACK: Final = Text(
    "Hot lead: {name}{company}, score {score}", "ホットリード：{name}{company}、スコア {score}"
)
CARD_FIELDS: Final = _table(
    {
        "company": Text("Company", "会社名"),
        "title": Text("Title", "役職"),
        "source": Text("Source", "流入元"),
        "event": Text("Event", "イベント"),
        "email": Text("Email", "メール"),
        "phone": Text("Phone", "電話"),
        "interest": Text("Interest", "関心度"),
        "product": Text("Product", "製品"),
    }
)
UNKNOWN: Final = Text("unknown", "不明")
CARD_SCORE: Final = Text(
    "*Score {score}* (fit {fit} · engagement {engagement})",
    "*スコア {score}*（属性 {fit}・行動 {engagement}）",
)
CARD_NOTES: Final = Text("*Notes*\n{notes}", "*メモ*\n{notes}")
CAPTURED_BY: Final = Text("Captured by {user} {date}", "獲得：{user}（{date}）")
PASSED_BY: Final = Text(" · passed by {users}", " ・見送り：{users}")
PASSED_ON_TO: Final = Text("*Passed on to {channel}*", "*{channel} に回しました*")
CLAIMED_BY: Final = Text("*Claimed by {owner}*", "*担当：{owner}*")
CLAIMED_AFTER: Final = Text(" {duration} after it turned hot", "（ホットになってから{duration}）")
OUTCOME_LINE: Final = Text("Outcome: *{stage}*", "結果：*{stage}*")
OUTCOME_VALUE: Final = Text(" · {value}", "・{value}")
OUTCOME_REASON: Final = Text(" · {reason}", "・理由：{reason}")
OUTCOME_BY: Final = Text(" · recorded by {user} {date}", "（{user}、{date}に記録）")
BUTTONS: Final = _table(
    {
        "claim": Text("Claim", "担当する"),
        "pass": Text("Pass", "見送る"),
        "book_meeting": Text("Meeting booked", "商談化"),
        "win": Text("Won", "受注"),
        "lose": Text("Lost", "失注"),
        "change_outcome": Text("Change outcome", "結果を修正"),
        "recycle": Text("Nurture again", "再育成する"),
    }
)
LOST_REASONS: Final = _table(
    {
        "budget": Text("Budget", "予算"),
        "timing": Text("Timing", "時期"),
        "competitor": Text("Competitor", "競合"),
        "no_response": Text("No response", "反応なし"),
        "not_a_fit": Text("Not a fit", "ニーズ不一致"),
        "other": Text("Other", "その他"),
    }
)
CALIBRATION_NOTE: Final = Text(
    "{name}: {wins} of {decided} decided leads won, {rate}",
    "{name}：決着した{decided}件中{wins}件受注（{rate}）",
)

# --- outcome forms ----------------------------------------------------------------------

WON_TITLE: Final = Text("Won", "受注")
LOST_TITLE: Final = Text("Lost", "失注")
CHANGE_TITLE: Final = Text("Change outcome", "結果を修正")
RECORD: Final = Text("Record", "記録する")
DEAL_VALUE: Final = Text("Deal value", "受注金額")
DEAL_VALUE_HINT: Final = Text(
    "In {currency}. Leave empty if unknown.", "{currency}で入力。不明なら空欄で構いません。"
)
REASON: Final = Text("Reason", "理由")
REASON_DETAIL: Final = Text("Details", "詳細")
REASON_DETAIL_HINT: Final = Text("Required for Other.", "「その他」の場合は必須です。")
NEW_OUTCOME: Final = Text("Outcome", "結果")
NO_OUTCOME_YET: Final = Text("No outcome yet", "まだ結果なし")
FORM_FOR: Final = Text("*{name}*{company}", "*{name}*{company}")
LIST_SEPARATOR: Final = Text(", ", "、")

# --- notes to one person about the card -------------------------------------------------

REFUSALS: Final = _table(
    {
        "already_claimed": Text(
            "This lead is already claimed by {owner}.",
            "このリードはすでに {owner} さんが担当しています。",
        ),
        "claim_first": Text(
            "Nobody has claimed this lead yet. Claim it first; then its owner can record the"
            " outcome.",
            "このリードはまだ担当者がいません。先に「担当する」を押してから結果を記録してください。",
        ),
        "already_decided": Text(
            "This lead's outcome is already recorded as {stage}.",
            "このリードの結果はすでに「{stage}」で記録されています。",
        ),
        "already_meeting": Text(
            "A meeting is already recorded for this lead.",
            "このリードはすでに商談化として記録されています。",
        ),
        "not_hot": Text(
            "This lead is not open for claims (it is {stage}).",
            "このリードは担当を受け付けていません（現在：{stage}）。",
        ),
        "wrong_stage": Text(
            "That can't be done while the lead is {stage}.",
            "リードが「{stage}」の間はこの操作はできません。",
        ),
        "not_owner": Text(
            "Only {owner}, who owns this lead, or an admin can record its outcome.",
            "結果を記録できるのは担当の {owner} さんか管理者だけです。",
        ),
        "may_not_claim": Text(
            "You can't claim this lead. Only members of this channel can claim leads.",
            "このリードは担当できません。担当できるのはこのチャンネルのメンバーだけです。",
        ),
        "may_not_claim_list": Text(
            "You can't claim this lead. Only the sales reps listed in leadbot's settings can"
            " claim leads.",
            "このリードは担当できません。"
            "担当できるのは leadbot の設定に登録された営業担当者だけです。",
        ),
        "moved": Text(
            "This lead was passed on to {channel}; claim it there.",
            "このリードは {channel} に回されました。そちらで担当してください。",
        ),
        "system_only": Text(
            "Only leadbot itself does that.", "この操作は leadbot だけが行います。"
        ),
        "nothing_to_change": Text(
            "This lead has no outcome to change yet.",
            "このリードにはまだ修正できる結果がありません。",
        ),
        "not_recyclable": Text(
            "Only a lead lost for timing or fit can be nurtured again.",
            "再育成できるのは「時期」か「ニーズ不一致」で失注したリードだけです。",
        ),
        "gone": Text(
            "This button no longer matches a lead. It may have been deleted.",
            "このボタンに対応するリードが見つかりません。削除された可能性があります。",
        ),
    }
)
PASSED_ON: Final = Text(
    "{user} passed this lead on to {channel}.", "{user} さんがこのリードを {channel} に回しました。"
)
PASSED_HERE: Final = Text(
    "{user} passed on this lead; it stays open for the others here.",
    "{user} さんはこのリードを見送りました。このチャンネルの他のメンバーが担当できます。",
)

# --- direct messages and thread replies -------------------------------------------------

OWNER_DM: Final = Text(
    "You claimed *{name}*. Reach out now: the first five minutes matter most.",
    "*{name}* の担当になりました。すぐに連絡しましょう。最初の5分が勝負です。",
)
OWNER_DM_FALLBACK: Final = Text("You claimed {card}", "担当になりました：{card}")
REANNOUNCE: Final = Text(
    ":alarm_clock: *{name}* is still unclaimed after {minutes} business minutes. Can someone"
    " take it?",
    ":alarm_clock: *{name}* は営業時間で{minutes}分たっても担当者が決まっていません。"
    "どなたか対応できますか？",
)
ESCALATION: Final = Text(
    ":rotating_light: Hot lead *{name}* (score {score}) has been unclaimed{where} for"
    " {minutes} business minutes.",
    ":rotating_light: ホットリード *{name}*（スコア {score}）{where}が、営業時間で{minutes}分"
    "たっても担当者なしのままです。",
)
ESCALATION_WHERE: Final = Text(" in {channel}", "（{channel}）")
RECAPTURED: Final = Text(
    ":repeat: {capturer} captured your lead *{name}* again{where}.",
    ":repeat: {capturer} さんが、あなたの担当リード *{name}* に再び接触しました{where}。",
)
RECAPTURED_AT: Final = Text(" at {event}", "（{event}）")
RECAPTURED_NOTE: Final = Text("New note: {note}", "新しいメモ：{note}")

STALE_OWNER: Final = Text(
    ":hourglass: You claimed *{name}* {days} days ago and no outcome is recorded yet. How did"
    " it go?",
    ":hourglass: *{name}* を担当してから{days}日たちましたが、まだ結果が記録されていません。"
    "その後いかがでしょうか？",
)
STALE_MANAGER: Final = Text(
    ":hourglass: *{name}*, claimed by {owner} {days} days ago, still has no outcome.",
    ":hourglass: {owner} さんが{days}日前に担当した *{name}* の結果がまだ記録されていません。",
)

# --- nurture reminders and /lead mine --------------------------------------------------

NURTURE_HEADER: Final = Text(
    ":seedling: *Nurture steps due* ({count})", ":seedling: *期限が来た育成ステップ*（{count}件）"
)
NURTURE_FALLBACK: Final = Text("Nurture steps due: {count}", "期限が来た育成ステップ：{count}件")
NURTURE_STEP: Final = Text(
    "*{action}: {title}*\n*{name}*{company} · score {score}",
    "*{action}：{title}*\n*{name}*{company}・スコア {score}",
)
NURTURE_PLAN: Final = Text(
    "Plan {plan} · step {number} of {total}", "プラン {plan}・ステップ {number}/{total}"
)
NURTURE_ACTIONS: Final = _table(
    {
        "email": Text("Email", "メール"),
        "call": Text("Call", "電話"),
        "material": Text("Send material", "資料送付"),
        "invite": Text("Invite", "招待"),
    }
)
NURTURE_DONE_BUTTON: Final = Text("Done", "完了")
NURTURE_SNOOZE_BUTTON: Final = Text("Snooze {delay}", "{delay}後に再通知")
NURTURE_STOP_BUTTON: Final = Text("Stop nurture", "育成を停止")
NURTURE_DELAYS: Final = _table(
    {
        "m": Text("{n} min", "{n}分"),
        "h": Text("{n} h", "{n}時間"),
        "d": Text("{n} day(s)", "{n}日"),
        "w": Text("{n} week(s)", "{n}週間"),
    }
)
NURTURE_DONE: Final = Text("Done: *{title}* for *{name}*.", "完了：*{name}* の *{title}*")
NURTURE_NEXT: Final = Text("Next step {when}: {title}", "次のステップ（{when}）：{title}")
NURTURE_LAST: Final = Text(
    "That was the last step of the plan.", "これでプランのステップはすべて完了です。"
)
NURTURE_NOW_HOT: Final = Text(
    ":fire: *{name}* is hot now: sales has been alerted.",
    ":fire: *{name}* がホットになりました。営業に通知しました。",
)
NURTURE_SNOOZED: Final = Text(
    "Snoozed: *{title}* for *{name}* comes back {when}.",
    "再通知を設定しました：*{name}* の *{title}* は {when} に届きます。",
)
NURTURE_STOPPED: Final = Text(
    "Stopped nurturing *{name}*; no more steps will come.",
    "*{name}* の育成を停止しました。以降のステップは届きません。",
)
NURTURE_GONE: Final = Text(
    "This step is no longer open: it was done, snoozed or stopped already.",
    "このステップはすでに完了・再通知設定・停止のいずれかになっています。",
)
MINE_TASKS: Final = Text("*Your nurture tasks this week*", "*今週のあなたの育成タスク*")
MINE_TASK: Final = Text(
    "• {when} · {action}: {title} · *{name}*{company}",
    "• {when}・{action}：{title}・*{name}*{company}",
)
MINE_NO_TASKS: Final = Text(
    "No nurture tasks are due this week.", "今週期限の育成タスクはありません。"
)
MINE_LEADS: Final = Text("*Your open leads*", "*担当中のリード*")
MINE_LEAD: Final = Text(
    "• *{name}*{company}: score {score}, {stage}", "• *{name}*{company}：スコア {score}、{stage}"
)
MINE_NO_LEADS: Final = Text("You own no open leads.", "担当中のリードはありません。")
MINE_COMPANY: Final = Text(" ({company})", "（{company}）")

# --- funnel reports -------------------------------------------------------------------

STEP_NAMES: Final = _table(
    {
        "captured": Text("Captured", "獲得"),
        "hot": Text("Hot", "ホット"),
        "claimed": Text("Claimed", "担当決定"),
        "meeting": Text("Meeting", "商談化"),
        "won": Text("Won", "受注"),
        "lost": Text("Lost", "失注"),
    }
)
PERIOD_NAMES: Final = _table(
    {
        "7d": Text("the last 7 days", "直近7日間"),
        "30d": Text("the last 30 days", "直近30日間"),
        "90d": Text("the last 90 days", "直近90日間"),
        "all": Text("all time", "全期間"),
    }
)
PERIOD_DAYS: Final = Text("the last {days} days", "直近{days}日間")
STATS_TITLE: Final = Text(
    "*Funnel of the leads captured in {period}*", "*{period}に獲得したリードのファネル*"
)
STATS_WEEK: Final = Text("*Weekly funnel: {week}*", "*週次ファネル：{week}*")
STATS_STEP: Final = Text("{step} {count}", "{step} {count}")
STATS_CONVERSION: Final = Text("{count} ({share})", "{count}（{share}）")
STATS_SUMMARY: Final = Text(
    "Win rate {win_rate} · hot to claim: median {median}, 90% within {p90} ·"
    " SLA breaches {breaches} · won value {value}",
    "受注率 {win_rate}・ホットから担当まで：中央値 {median}、90%が{p90}以内・"
    "SLA超過 {breaches}件・受注金額 {value}",
)
STATS_DROP_OFF: Final = Text("Drop-off: {steps}", "離脱：{steps}")
STATS_REASONS: Final = Text("Top loss reasons: {reasons}", "主な失注理由：{reasons}")
STATS_BY_SOURCE: Final = Text("*By source*", "*流入元別*")
STATS_BY_EVENT: Final = Text("*By event*", "*イベント別*")
STATS_NO_EVENT: Final = Text("(no event)", "（イベントなし）")
STATS_EMPTY: Final = Text(
    "No leads were captured in {period}.", "{period}に獲得したリードはありません。"
)
STATS_COLUMNS: Final = _table(  # short column heads of the monospace tables
    {
        "captured": Text("capt", "獲得"),
        "hot": Text("hot", "ﾎｯﾄ"),
        "claimed": Text("clm", "担当"),
        "meeting": Text("mtg", "商談"),
        "won": Text("won", "受注"),
        "lost": Text("lost", "失注"),
        "win_rate": Text("win%", "受注率"),
    }
)
STATS_MORE: Final = Text("… and {count} more", "…ほか{count}件")
STATS_USAGE: Final = Text(
    "Say which period: `/lead stats 7d`, `30d`, `90d` or `all`.",
    "期間を指定してください：`/lead stats 7d`、`30d`、`90d`、`all`",
)
STATS_COUNTING: Final = Text(
    ":hourglass_flowing_sand: Counting the funnel; it follows in a moment.",
    ":hourglass_flowing_sand: ファネルを集計しています。まもなく表示します。",
)

DIGEST_TOP: Final = Text("Top sources: {sources}", "主な流入元：{sources}")
DIGEST_SOURCE: Final = Text(
    "{name} {captured} captured, {won} won", "{name} 獲得{captured}・受注{won}"
)
DIGEST_CALIBRATION: Final = Text("Calibration changed:", "キャリブレーションの変更：")
DIGEST_WEIGHT: Final = Text("• {note} (was {before:+g})", "• {note}（変更前 {before:+g}）")

# --- Home tab ---------------------------------------------------------------------------

HOME_RECENT: Final = Text("*Your recent leads*", "*最近登録したリード*")
HOME_LEAD: Final = Text("• {name}: score {score}, {stage}", "• {name}：スコア {score}、{stage}")

# --- durations --------------------------------------------------------------------------

SECONDS: Final = Text("{n} s", "{n}秒")
MINUTES: Final = Text("{n} min", "{n}分")
HOURS: Final = Text("{n} h", "{n}時間")
HOURS_MINUTES: Final = Text("{h} h {m} min", "{h}時間{m}分")
DAYS: Final = Text("{n} d", "{n}日")
DAYS_HOURS: Final = Text("{d} d {h} h", "{d}日{h}時間")

# --- the funnel chart (an image: plain text, no mrkdwn) ---------------------------------

CHART_TITLE: Final = Text("Lead funnel, {period}", "リードファネル（{period}）")
CHART_PERIOD: Final = Text("{start} to {end}", "{start}〜{end}")
CHART_UNTIL: Final = Text("until {end}", "{end}まで")
CHART_TOTAL: Final = Text("All leads", "全リード")
CHART_BY_SOURCE: Final = Text("Top sources", "流入元の上位")
CHART_NO_LEADS: Final = Text("No leads in this period", "この期間のリードはありません")
CHART_STEPS: Final = _table(
    {
        "captured": Text("Captured", "獲得"),
        "hot": Text("Hot", "ホット"),
        "claimed": Text("Claimed", "担当決定"),
        "meeting": Text("Meeting booked", "商談化"),
        "won": Text("Won", "受注"),
    }
)
