"""The survey platforms exchange-eval reads, and the metadata columns their exports carry.

`PLATFORMS` are the names a manifest may give as ``platform:`` (and `read_export` takes);
`METADATA_COLUMNS` are the columns platforms add to every export (submission times,
durations, respondent ids, IP addresses, locations), by the respondent field they hold:
the default codebook maps them, so no round codebook has to.
"""

from __future__ import annotations

__all__ = ["PLATFORMS", "METADATA_COLUMNS"]

PLATFORMS = (
    "kobo", "odk", "surveymonkey", "google_forms", "ms_forms", "qualtrics", "limesurvey",
    "spreadsheet", "stata", "spss",
)

# role (a codebook field role, or ``ignore``) -> column headers as platforms export them
METADATA_COLUMNS: dict[str, list[str]] = {
    "ended_at": ["end", "endtime", "Heure de fin"],
    "email": ["Adresse de messagerie", "Email Address"],
    "submitted_at": ["_submission_time", "RecordedDate", "Submission Date", "Date submitted"],
    "started_at": ["StartDate", "Start time"],
    "duration_s": ["Duration (in seconds)", "Duration", "Durée (en secondes)"],
    "ip": ["IP Address", "IPAddress", "ipaddr", "Adresse IP"],
    "recipient": [
        "Recipient Email",
        "Recipient First Name",
        "Recipient Last Name",
        "RecipientEmail",
        "RecipientFirstName",
        "RecipientLastName",
        "ExternalReference",
        "Custom Data 1",
    ],
    "location": [
        "LocationLatitude",
        "LocationLongitude",
        "_geolocation",
        "Latitude",
        "Longitude",
        "gps",
    ],
    "ignore": [
        "Respondent ID",
        "Collector ID",
        "ResponseId",
        "Response ID",
        "Status",
        "Progress",
        "Finished",
        "DistributionChannel",
        "UserLanguage",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "username",
        "audit",
        "_id",
        "_uuid",
        "_index",
        "_parent_index",
        "_validation_status",
        "_status",
        "_submitted_by",
        "_tags",
        "_notes",
        "__version__",
        "_version_",
        "meta/instanceID",
        "instanceID",
        "meta/rootUuid",
        "formhub/uuid",
        "Id",
        "ID",
        "Last modified time",
        "Heure de la dernière modification",
    ],
}
