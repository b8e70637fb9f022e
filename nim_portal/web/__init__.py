"""What every app's pages share: the access decorators (`decorators`), a record's change history
as a page shows it (`history`) and a page's marking (`markings`). Core knows no app: an app's
views import these, never another app's views."""
