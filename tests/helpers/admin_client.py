"""Fill in and submit the admin's real forms, as a browser would, from a page's HTML."""

from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict


class _Forms(HTMLParser):
    """Collect every form: its action and the values a browser would submit."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {
                "action": a.get("action", ""),
                "method": a.get("method", "get"),
                "fields": {},
                "names": [],
            }
            self.forms.append(self._form)
        if self._form is None:
            return
        fields = self._form["fields"]
        name = a.get("name")
        if tag == "input" and name:
            self._form["names"].append(name)
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields[name] = a.get("value", "y")
                else:
                    fields.setdefault(name, None)
            elif kind not in ("submit", "button"):
                fields[name] = a.get("value", "")
        elif tag == "textarea" and name:
            self._form["names"].append(name)
            self._textarea = name
            fields[name] = ""
        elif tag == "select" and name:
            self._form["names"].append(name)
            self._select = name
            fields[name] = None
        elif tag == "option" and self._select:
            if fields[self._select] is None or "selected" in a:
                fields[self._select] = a.get("value", "")

    def handle_data(self, data):
        if self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea:
                # browsers drop one leading newline of a textarea's content
                value = self._form["fields"][self._textarea]
                value = value.replace("\r\n", "\n")
                self._form["fields"][self._textarea] = value.removeprefix("\n")
            self._textarea = None


def forms(html: str) -> list[dict]:
    """Every form of the page."""
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form(html: str, action: str) -> dict:
    """The form that posts to ``action`` (exactly, or ending with it); "" is the form
    without an action, which posts to the page's own address."""
    found = [
        f for f in forms(html) if f["action"] == action or (action and f["action"].endswith(action))
    ]
    assert found, f"no form posting to {action}; actions: {[f['action'] for f in forms(html)]}"
    return found[0]


def fill(found: dict, **values) -> dict:
    """The form's values with ``values`` typed in; a key may omit the form's prefix."""
    data = {k: v for k, v in found["fields"].items() if v is not None}
    for key, value in values.items():
        matches = [n for n in found["names"] if n == key or n.endswith("-" + key)]
        assert matches, f"no field {key!r} in form {found['action']}: {found['names']}"
        name = matches[0]
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


#: What the check page's confirm button adds: posted directly, the action is carried out
#: at once (as by a user who confirmed; the tests of concurrency post the same form often).
CONFIRMED = {"confirmed": "yes"}

#: The check page every action that can reach a candidate answers with first.
CHECK_PAGE = 'class="card check-send"'


def submit(client, page, action: str, follow_redirects=False, confirm=True, **values):
    """Post the form of ``page`` (a response) that goes to ``action``, with ``values``
    typed in. When the answer is the check page of an action that can reach the
    candidate (admin/sending.py), ``confirm`` clicks its confirm button, as the user
    who means it would; ``confirm=False`` returns the check page itself."""
    found = form(page.text, action)
    target = found["action"] or page.request.path
    response = client.post(target, data=fill(found, **values), follow_redirects=follow_redirects)
    if confirm and response.status_code == 200 and CHECK_PAGE in response.text:
        return confirmed(client, response, target, follow_redirects)
    return response


def confirmed(client, check_page, action: str, follow_redirects=False, button="confirmed"):
    """Click a button of the check page that posts to ``action``: ``confirmed`` (send
    and save) or ``edit`` (back to the form as typed). Its hidden fields are posted as a
    browser posts them, a name that repeats (the ticked rows) once per value."""
    parser = _Hidden(action)
    parser.feed(check_page.text)
    assert parser.pairs, f"no check form posting to {action}"
    data = MultiDict(parser.pairs)
    data[button] = "yes"
    return client.post(action, data=data, follow_redirects=follow_redirects)


class _Hidden(HTMLParser):
    """The hidden inputs of the form that posts to ``action``, in order, repeats kept."""

    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.pairs = action, False, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
        elif tag == "input" and self.inside and a.get("type") == "hidden":
            self.pairs.append((a["name"], a.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
