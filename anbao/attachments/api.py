from flask.views import MethodView
from flask_login import current_user, login_required

from anbao import api as rest
from anbao.attachments import service, sniff
from anbao.extensions import db

blp = rest.blueprint("attachments", __name__, "Attached files")


@blp.route("/attachments/<int:attachment_id>")
class AttachmentFile(MethodView):
    decorators = [login_required]

    @blp.doc(responses={"200": {
        "description": "The file as uploaded, with its name in Content-Disposition",
        "content": {content_type: {"schema": {"type": "string", "format": "binary"}}
                    for content_type, _ in sniff.TYPES.values()}}})
    def get(self, attachment_id):
        """Download an attached file"""
        row = service.get(current_user, attachment_id)
        response = service.download(current_user, row)
        db.session.commit()
        return response
